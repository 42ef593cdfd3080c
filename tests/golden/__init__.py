"""Golden tests: answers recorded from a live Debian apache2 2.4.71, replayed without it."""
