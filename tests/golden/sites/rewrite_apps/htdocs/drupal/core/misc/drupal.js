drupal/core/misc/drupal.js
