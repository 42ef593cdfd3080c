wp/wp-admin/index.php
