"""The official Firebase Admin SDK for Python, pointed at rtcweb-signal as an emulator host.

Run by `scripts/test.sh compat`, which starts the server and sets RTCWEB_SIGNAL_HOST.
"""
import os
import threading
import unittest
import uuid

HOST = os.environ.get("RTCWEB_SIGNAL_HOST", "127.0.0.1:18463")
os.environ["FIREBASE_DATABASE_EMULATOR_HOST"] = HOST

import firebase_admin  # noqa: E402  (the emulator variable must be set first)
from firebase_admin import db  # noqa: E402


def _quiet_listener_close(args):
    """firebase-admin's listener thread raises AttributeError when its registration is closed:
    the SDK reads from the response it has just closed. Anything else is reported."""
    if not (args.exc_type is AttributeError and "read" in str(args.exc_value)):
        threading.__excepthook__(args)


threading.excepthook = _quiet_listener_close

firebase_admin.initialize_app(
    options={"databaseURL": f"http://{HOST}?ns=demo-rtcweb", "projectId": "demo-rtcweb"}
)


class FirebaseAdminAgainstRtcwebSignal(unittest.TestCase):
    def setUp(self):
        self.ref = db.reference(f"/compat/{uuid.uuid4().hex}")

    def tearDown(self):
        self.ref.delete()

    def test_set_get_child_and_arrays(self):
        self.ref.set({"offer": {"type": "offer", "sdp": "v=0"}, "list": [1, 2, 3]})
        self.assertEqual(self.ref.get(), {"offer": {"type": "offer", "sdp": "v=0"}, "list": [1, 2, 3]})
        self.assertEqual(self.ref.child("offer/sdp").get(), "v=0")

    def test_push_keeps_order(self):
        first = self.ref.child("candidates").push({"n": 1})
        second = self.ref.child("candidates").push({"n": 2})
        self.assertEqual(len(first.key), 20)
        self.assertLess(first.key, second.key)
        children = self.ref.child("candidates").get()
        self.assertEqual([children[k]["n"] for k in sorted(children)], [1, 2])

    def test_update_is_multi_path_and_null_deletes(self):
        self.ref.set({"a": {"x": 1}, "b": 2})
        self.ref.update({"a/y": 3, "b": None})
        self.assertEqual(self.ref.get(), {"a": {"x": 1, "y": 3}})

    def test_delete(self):
        self.ref.set("gone soon")
        self.ref.delete()
        self.assertIsNone(self.ref.get())

    def test_transaction_and_etags(self):
        counter = self.ref.child("counter")
        self.assertEqual(counter.transaction(lambda n: (n or 0) + 1), 1)
        self.assertEqual(counter.transaction(lambda n: (n or 0) + 1), 2)
        value, etag = counter.get(etag=True)
        self.assertEqual(value, 2)
        ok, current, _ = counter.set_if_unchanged("not-the-etag", 10)
        self.assertFalse(ok)
        self.assertEqual(current, 2)
        ok, _, _ = counter.set_if_unchanged(etag, 10)
        self.assertTrue(ok)
        self.assertEqual(counter.get(), 10)

    def test_get_if_changed(self):
        item = self.ref.child("conditional")
        item.set({"x": 1})
        _, etag = item.get(etag=True)
        # A 304 Not Modified: firebase-admin answers (False, None, None).
        changed, value, _ = item.get_if_changed(etag)
        self.assertFalse(changed)
        self.assertIsNone(value)
        item.set({"x": 2})
        changed, value, new_etag = item.get_if_changed(etag)
        self.assertTrue(changed)
        self.assertEqual(value, {"x": 2})
        self.assertNotEqual(new_etag, etag)

    def test_queries(self):
        self.ref.set({"a": {"h": 3}, "b": {"h": 1}, "c": {"h": 2}})
        self.assertEqual(list(self.ref.order_by_child("h").start_at(2).get().keys()), ["c", "a"])
        self.assertEqual(list(self.ref.order_by_key().limit_to_first(1).get().keys()), ["a"])

    def test_listen_receives_puts_and_patches(self):
        self.ref.set({"start": True})
        events = []
        changed = threading.Event()

        def listener(event):
            events.append((event.event_type, event.path, event.data))
            if len(events) >= 3:
                changed.set()

        registration = self.ref.listen(listener)
        try:
            self.ref.child("new").set("hello")
            self.ref.update({"p/q": 1})
            self.assertTrue(changed.wait(10), f"events so far: {events}")
        finally:
            registration.close()
        self.assertEqual(events[0], ("put", "/", {"start": True}))
        self.assertEqual(events[1], ("put", "/new", "hello"))
        self.assertEqual(events[2][0], "patch")


if __name__ == "__main__":
    unittest.main(verbosity=2)
