drupal/index.php
