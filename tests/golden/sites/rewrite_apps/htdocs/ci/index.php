ci/index.php
