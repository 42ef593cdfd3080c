"""The example Django project behind apachemw."""
