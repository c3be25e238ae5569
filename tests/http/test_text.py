"""Donor text: no C0/C1 control characters (a message may hold newlines,
stored as LF), and emails in the usual practical syntax."""
import uuid

from client import assert_error, request
from fixtures import campaign

CID = None


def pledge(**fields):
    global CID
    CID = CID or campaign()
    return request("POST", f"/v1/campaigns/{CID}/pledges",
                   body={"amount_minor": 0, **fields},
                   headers={"Idempotency-Key": str(uuid.uuid4())})


def test_control_characters_are_refused():
    for field in ("donor_name", "donor_email", "message"):
        for bad in ("\u001b[31mRED\u0007", "a\u007f", "x\u0085y",
                    "x\u009bq", "a\u0001", "\u001b]0;title\u0007"):
            err = assert_error(pledge(**{field: bad}), 422, "invalid_value")
            assert err["field"] == field, (field, repr(bad), err)
    for bad in ("a\r\nb", "a\nb", "tab\there"):
        for field in ("donor_name", "donor_email"):
            err = assert_error(pledge(**{field: bad}), 422, "invalid_value")
            assert err["field"] == field


def test_a_message_keeps_its_lines_as_lf():
    r = pledge(message="one\r\ntwo\rthree\nfour\tfive")
    assert r.status == 201, r.body
    assert r.json()["pledge"]["message"] == "one\ntwo\nthree\nfour\tfive"


def test_emails_follow_the_practical_syntax():
    for bad in ("a@b\r\nBcc: x@y", "a@b\nc", "a b@c.example", "a@b c.example",
                "@b.example", "a@", "a@@b.example", "a@b@c.example",
                "a@-b.example", "a@b-.example", "a@b..example", "a@.b",
                "a@b.example.", "<a@b.example>", "a@[1.2.3.4]", "a\"b@c.ex",
                "a,b@c.example", "a@b_c.example", "x" * 65 + "@b.example",
                "a@" + "b" * 64 + ".example", "zo\u00eb@b.example"):
        err = assert_error(pledge(donor_email=bad), 422, "invalid_value")
        assert err["field"] == "donor_email", (bad, err)
    for good in ("a@b.example", "first.last+tag@sub.example.org",
                 "o'brien@x.example", "A_B-c@EXAMPLE.COM", "x@localhost"):
        r = pledge(donor_email=good)
        assert r.status == 201, (good, r.body)
