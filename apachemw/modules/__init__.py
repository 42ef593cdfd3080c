"""One file per Apache module; ``registry`` lists them in Apache's load order."""
