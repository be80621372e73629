"""moto_server whose IAM clock the tests can set back.

moto dates every user, access key, login profile and key use with the time
it is made, and the credential report shows those dates; a test cannot wait
200 days for a key to grow old. Here IAM's clock is the real one plus the
seconds written in the file $MFA_MOTO_SHIFT_FILE (absent or empty: 0), read
at every use, so a test writes -17280000 into it, creates a user or uses a
key, and writes 0 again. Everything else is moto as it is.

Usage: python3 moto-clock.py [moto_server's arguments], with the Python
that has moto (the one moto_server runs on).
"""
import datetime
import os
import sys

import moto.iam.models as iam_models
from moto.server import main

SHIFT_FILE = os.environ["MFA_MOTO_SHIFT_FILE"]
real_utcnow = iam_models.utcnow


def shifted_utcnow():
    try:
        with open(SHIFT_FILE) as f:
            shift = int(f.read().strip() or "0")
    except FileNotFoundError:
        shift = 0
    return real_utcnow() + datetime.timedelta(seconds=shift)


iam_models.utcnow = shifted_utcnow

if __name__ == "__main__":
    main(sys.argv[1:])
