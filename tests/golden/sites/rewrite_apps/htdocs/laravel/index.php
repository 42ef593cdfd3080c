laravel/index.php
