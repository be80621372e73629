#!/usr/bin/python3
"""The stand-in IAM/STS server (standin.py) with what the hygiene commands
need and moto lacks or cannot be made to show.

- ResyncMFADevice (moto has none): two consecutive codes, checked with
  python3-pyotp as EnableMFADevice checks them; a step seen before is
  refused.
- DeactivateMFADevice and ListMFADevices, as IAM answers them; a user's
  list also holds the serials in STATE/keys.USER, one a line (security
  keys, which only the console can register).
- GenerateCredentialReport / GetCredentialReport serving STATE/report.csv
  as it is (a report in the real layout with what moto's lacks: the
  <root_account> row, quoted fields, dates in the past). Generation says
  STARTED, then INPROGRESS, then COMPLETE, as AWS may.
- A clock that is off: the Date header of every answer is shifted by the
  number of seconds in STATE/dateshift (absent: 0).
- A failure on demand: while STATE/fail.ACTION exists, ACTION is refused
  with AccessDenied and the file's text as the message.

Usage: standin_hyg.py STATE_DIR (as standin.py). Debian's /usr/bin/python3.
"""
import email.utils
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import standin  # noqa: E402

STATE_DIR = sys.argv[1] if len(sys.argv) > 1 else "."
REPORT_STATES = ["STARTED", "INPROGRESS", "COMPLETE"]
report_asks = {"n": 0}
base_act = standin.act


def read_file(name):
    try:
        with open(os.path.join(STATE_DIR, name)) as f:
            return f.read()
    except FileNotFoundError:
        return None


def caller_user(ident):
    return standin.user_of(ident)


def resync_steps(p):
    """The consecutive steps whose codes a resync sent, or None."""
    dev = standin.STATE["devices"].get(p.get("SerialNumber"))
    if dev is None:
        return None
    now = standin.step_now()
    for s2 in (now - 1, now, now + 1):
        if standin.match_step(dev["seed"], p.get("AuthenticationCode1"), [s2 - 1]) is not None and \
                standin.match_step(dev["seed"], p.get("AuthenticationCode2"), [s2]) is not None:
            return s2 - 1
    return None


def enabled_device(p, headers, log):
    """The caller, then the device p names, enabled for the user p names."""
    akid, ident = standin.caller(headers)
    log["akid"] = akid
    user, serial = p["UserName"], p["SerialNumber"]
    log["serial"] = serial
    dev = standin.STATE["devices"].get(serial)
    if dev is None or not dev["enabled"] or dev["user"] != user:
        raise standin.ApiError(404, "NoSuchEntity",
                               "MFA device %s is not enabled for user %s" % (serial, user))
    return serial, dev


def act(action, p, headers, log):
    fail = read_file("fail." + action)
    if fail is not None:
        standin.caller(headers)
        if action == "ResyncMFADevice" and resync_steps(p) is not None:
            # Refused, but the codes were sent: logged to check that mfa
            # never sends them again.
            log["sent"] = [resync_steps(p), resync_steps(p) + 1]
        raise standin.ApiError(403, "AccessDenied", fail.strip() or
                               "User is not authorized to perform: iam:" + action)
    if action == "ResyncMFADevice":
        serial, dev = enabled_device(p, headers, log)
        found = resync_steps(p)
        used = standin.STATE["used"]
        if found is None or (serial, found) in used or (serial, found + 1) in used:
            log["mfa"] = "invalid codes"
            raise standin.ApiError(403, "InvalidAuthenticationCode",
                                   "Authentication code for device is not valid.")
        used.update({(serial, found), (serial, found + 1)})
        log["steps"], log["mfa"] = [found, found + 1], "ok"
        return None
    if action == "DeactivateMFADevice":
        serial, dev = enabled_device(p, headers, log)
        dev["enabled"], dev["user"] = False, None
        return None
    if action == "ListMFADevices":
        akid, ident = standin.caller(headers)
        log["akid"] = akid
        user = p.get("UserName") or caller_user(ident)
        if user is None:
            raise standin.ApiError(400, "ValidationError",
                                   "Must specify userName when calling with non-User credentials")
        members = "".join(
            "<member>%s</member>" % standin.xml_of({
                "UserName": user, "SerialNumber": s,
                "EnableDate": "2020-01-01T00:00:00Z"})
            for s in [s for s, d in standin.STATE["devices"].items()
                      if d["enabled"] and d["user"] == user] +
            (read_file("keys." + user) or "").split())
        return {"MFADevices": standin.RawXml(members), "IsTruncated": "false"}
    if action == "GenerateCredentialReport":
        standin.caller(headers)
        state = REPORT_STATES[min(report_asks["n"], len(REPORT_STATES) - 1)]
        report_asks["n"] += 1
        log["state"] = state
        return {"State": state}
    if action == "GetCredentialReport":
        standin.caller(headers)
        text = read_file("report.csv")
        if text is None or report_asks["n"] < len(REPORT_STATES):
            raise standin.ApiError(410, "ReportNotPresent",
                                   "Credential report not present")
        import base64
        return {"Content": base64.b64encode(text.encode()).decode(),
                "ReportFormat": "text/csv",
                "GeneratedTime": "2026-01-02T03:04:05Z"}
    return base_act(action, p, headers, log)


class Handler(standin.Handler):
    def date_time_string(self, timestamp=None):
        shift = int((read_file("dateshift") or "0").strip() or "0")
        return email.utils.formatdate(time.time() + shift, usegmt=True)


standin.act = act
standin.Handler = Handler

if __name__ == "__main__":
    standin.main()
