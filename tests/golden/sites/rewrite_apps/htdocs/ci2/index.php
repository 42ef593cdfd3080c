ci2/index.php
