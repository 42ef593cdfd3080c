wp/index.php
