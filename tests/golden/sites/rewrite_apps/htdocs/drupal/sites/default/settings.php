drupal/sites/default/settings.php
