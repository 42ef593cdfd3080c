symfony/index.php
