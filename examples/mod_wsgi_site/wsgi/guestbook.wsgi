# The mod_wsgi script file: mod_wsgi runs it and serves its `application`.
# As in most mod_wsgi sites, it puts its own directory on sys.path first.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from guestbook import create_app  # noqa: E402

application = create_app()
