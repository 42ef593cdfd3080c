h5bp/js/app.js
