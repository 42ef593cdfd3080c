symfony/bundles/app.js
