"""prevention.Client against the real ``prevention serve``, as a process."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import threading
import unittest
from typing import Any, Dict, List

from prevention import Client, PreventionError
from prevention.errors import PRECONDITION_FAILED, TRANSPORT, UNKNOWN_FILE, UNSAFE_PATH, USAGE

from proxy import Proxy
from support import SHARED, Project, ServedTestCase, wait_for


class FilesTest(ServedTestCase):
    def client(self, **options: Any) -> Client:
        client = Client(self.project.root, autostart=False, **options)
        self.addCleanup(client.close)
        return client

    def test_a_missing_file_reads_as_its_initial_document_without_a_version(self) -> None:
        self.assertEqual(self.client().read_version("state.json"), ({}, None))

    def test_the_version_is_the_sha256_of_the_bytes_on_disk(self) -> None:
        client = self.client()
        result = client.write("state.json", {"counter": 1, "name": "ünïcode"})
        on_disk = self.project.path("state.json").read_bytes()
        self.assertEqual(result.sha256, hashlib.sha256(on_disk).hexdigest())
        self.assertEqual(result.bytes, len(on_disk))
        self.assertEqual(client.read_version("state.json"), ({"counter": 1, "name": "ünïcode"}, result.sha256))

    def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(self) -> None:
        client = self.client()
        first = client.write("state.json", {"v": 1})
        second = client.write("state.json", {"v": 2}, if_match=first.etag)
        before = self.project.path("state.json").read_bytes()
        with self.assertRaises(PreventionError) as caught:
            client.write("state.json", {"v": 3}, if_match=first.etag)
        self.assertEqual((caught.exception.code, caught.exception.status), (PRECONDITION_FAILED, 412))
        self.assertEqual(caught.exception.etag, second.sha256, "the 412 names the current version")
        self.assertEqual(self.project.path("state.json").read_bytes(), before)
        self.assertEqual(client.read_version("state.json")[1], second.sha256)

    def test_if_none_match_creates_once(self) -> None:
        client = self.client()
        client.write("state.json", {"owner": "a"}, if_none_match=True)
        with self.assertRaises(PreventionError) as caught:
            client.write("state.json", {"owner": "b"}, if_none_match=True)
        self.assertEqual(caught.exception.code, PRECONDITION_FAILED)
        self.assertEqual(client.read("state.json"), {"owner": "a"})

    def test_a_file_the_config_does_not_cover_is_unknown(self) -> None:
        with self.assertRaises(PreventionError) as caught:
            self.client().read("notes.json")
        self.assertEqual((caught.exception.code, caught.exception.status), (UNKNOWN_FILE, 404))
        self.assertFalse(self.project.path("notes.json").exists())

    def test_a_path_out_of_the_project_is_unsafe(self) -> None:
        for name in ("../outside.json", "data/../../outside.json"):
            with self.subTest(name=name), self.assertRaises(PreventionError) as caught:
                self.client().write(name, {"x": 1})
            self.assertEqual((caught.exception.code, caught.exception.status), (UNSAFE_PATH, 400))
        self.assertFalse((self.project.root.parent / "outside.json").exists())

    def test_a_value_json_cannot_hold_is_refused_before_anything_is_sent(self) -> None:
        client = self.client()
        client.write("state.json", {"kept": True})
        before = self.project.path("state.json").read_bytes()
        for bad in ({"x": float("nan")}, {"x": {1, 2}}, {"x": object()}):
            with self.subTest(bad=repr(bad)), self.assertRaises(PreventionError) as caught:
                client.write("state.json", bad)
            self.assertEqual(caught.exception.code, USAGE)
        self.assertEqual(self.project.path("state.json").read_bytes(), before)

    def test_a_body_over_the_service_limit_is_refused_with_413_and_changes_nothing(self) -> None:
        client = self.client()
        client.write("state.json", {"kept": True})
        before = self.project.path("state.json").read_bytes()
        # The server answers before reading the whole body and closes: the client still reads it.
        with self.assertRaises(PreventionError) as caught:
            client.write("state.json", {"blob": "x" * (9 * 1024 * 1024)})
        self.assertEqual((caught.exception.code, caught.exception.status), ("PREVENTION_BODY_TOO_LARGE", 413))
        self.assertEqual(self.project.path("state.json").read_bytes(), before)
        self.assertEqual(client.read("state.json"), {"kept": True}, "the client goes on after it")

    def test_updates_from_several_clients_lose_nothing(self) -> None:
        threads, per_thread = 4, 25
        errors: List[BaseException] = []

        def work(name: str) -> None:
            try:
                with Client(self.project.root, autostart=False) as client:
                    for _ in range(per_thread):

                        def increment(doc: Dict[str, Any]) -> None:
                            doc["counter"] = doc.get("counter", 0) + 1
                            doc.setdefault("by", []).append(name)

                        client.update("state.json", increment, attempts=200)
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        workers = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self.assertEqual(errors, [])
        document = json.loads(self.project.path("state.json").read_text())
        self.assertEqual(document["counter"], threads * per_thread)
        self.assertEqual(sorted(set(document["by"])), [f"t{i}" for i in range(threads)])
        self.assertEqual(len(document["by"]), threads * per_thread)

    def test_merge_patch_and_json_patch(self) -> None:
        client = self.client()
        client.write("state.json", {"a": 1, "b": {"c": 2, "d": 3}, "list": [1]})
        client.patch("state.json", {"b": {"c": None, "e": 4}, "z": True})
        self.assertEqual(client.read("state.json"), {"a": 1, "b": {"d": 3, "e": 4}, "list": [1], "z": True})
        client.patch("state.json", [{"op": "add", "path": "/list/-", "value": 2}, {"op": "remove", "path": "/a"}])
        self.assertEqual(client.read("state.json"), {"b": {"d": 3, "e": 4}, "list": [1, 2], "z": True})
        before = self.project.path("state.json").read_bytes()
        with self.assertRaises(PreventionError) as caught:
            client.patch("state.json", [{"op": "test", "path": "/z", "value": False}, {"op": "remove", "path": "/b"}])
        self.assertEqual(caught.exception.status, 422)
        self.assertEqual(self.project.path("state.json").read_bytes(), before)

    def test_one_connection_serves_many_requests(self) -> None:
        proxy = Proxy(self.project.socket)
        self.addCleanup(proxy.close)
        client = self.client(socket_path=proxy.path)
        for n in range(20):
            client.write("state.json", {"n": n})
            client.read("state.json")
        self.assertEqual(proxy.connections, 1)


class BusTest(ServedTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client = Client(self.project.root, autostart=False, source="tester")
        self.addCleanup(self.client.close)
        self.bus = self.client.bus(SHARED)

    def stored_events(self) -> List[Dict[str, Any]]:
        return json.loads(self.project.path(SHARED).read_text())["events"]

    def test_publish_and_read_back(self) -> None:
        first = self.bus.publish("task.created", {"id": 7})
        self.assertEqual(
            (first["type"], first["source"], first["payload"], first["seq"]), ("task.created", "tester", {"id": 7}, 1)
        )
        batch = self.bus.publish_many([("task.done", {"id": 7}), {"type": "note", "payload": "hi", "source": "other"}])
        self.assertEqual([e["seq"] for e in batch], [2, 3])
        self.assertEqual([e["type"] for e in self.bus.events()], ["task.created", "task.done", "note"])
        self.assertEqual([e["seq"] for e in self.bus.events(type="note")], [3])
        self.assertEqual([e["seq"] for e in self.bus.events(type=["note", "task.done"])], [2, 3])
        self.assertEqual([e["seq"] for e in self.bus.events(since=1, limit=1)], [2])
        self.assertEqual([e["seq"] for e in self.bus.events(source="other")], [3])
        self.assertEqual(len(self.stored_events()), 3)

    def test_a_refused_publish_is_typed_and_commits_nothing(self) -> None:
        self.bus.publish("kept", {"n": 1})
        before = self.project.path(SHARED).read_bytes()
        with self.assertRaises(PreventionError) as caught:
            self.bus.publish_many([("fine", {}), {"type": "", "payload": {}}])
        self.assertEqual(caught.exception.code, USAGE)
        with self.assertRaises(PreventionError) as caught:
            self.bus.publish("big", {"blob": "x" * (1024 * 1024 + 1)})
        self.assertEqual(caught.exception.status, 422)
        self.assertEqual(self.project.path(SHARED).read_bytes(), before)

    def test_the_same_idempotency_key_commits_once(self) -> None:
        first = self.bus.publish("once", {"n": 1}, idempotency_key="key-1")
        again = self.bus.publish("once", {"n": 1}, idempotency_key="key-1")
        self.assertEqual(again, first)
        self.assertEqual(len(self.stored_events()), 1)

    def test_a_publish_retried_after_a_timeout_commits_once(self) -> None:
        # The proxy delivers the first request but throws the answer away: the server commits,
        # the client times out and sends the publish again, with the same key.
        proxy = Proxy(self.project.socket, swallow=1)
        self.addCleanup(proxy.close)
        # The first attempt costs one timeout; the others have room to spare on a busy machine.
        options: Dict[str, Any] = {"autostart": False, "timeout": 4.0, "retries": 6, "source": "tester"}
        with Client(self.project.root, socket_path=proxy.path, **options) as client:
            event = client.bus(SHARED).publish("retried", {"n": 1})
        keys = re.findall(r"Idempotency-Key: (\S+)", proxy.sent_text(), flags=re.IGNORECASE)
        self.assertGreaterEqual(len(keys), 2, "sent again after the timeout")
        self.assertEqual(len(set(keys)), 1, "with the same key every time")
        self.assertGreaterEqual(proxy.connections, 2)
        stored = self.stored_events()
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored[0]["id"], event["id"])

    def test_without_retries_a_lost_answer_is_a_timeout(self) -> None:
        proxy = Proxy(self.project.socket, swallow=1)
        self.addCleanup(proxy.close)
        with Client(self.project.root, socket_path=proxy.path, autostart=False, timeout=1.0, retries=1) as client:
            with self.assertRaises(PreventionError) as caught:
                client.bus(SHARED).publish("lost", {})
        self.assertEqual(caught.exception.code, TRANSPORT)

    def test_a_header_value_with_a_line_break_is_refused_before_anything_is_sent(self) -> None:
        proxy = Proxy(self.project.socket)
        self.addCleanup(proxy.close)
        with Client(self.project.root, socket_path=proxy.path, autostart=False) as client:
            for key in ("k\r\nX-Injected: 1", "k\nX-Injected: 1", "k\x00"):
                with self.subTest(key=key), self.assertRaises(PreventionError) as caught:
                    client.bus(SHARED).publish("never", {}, idempotency_key=key)
                self.assertEqual(caught.exception.code, USAGE)
            with self.assertRaises(PreventionError) as caught:
                client.bus(SHARED).publish("never", {}, idempotency_key="clé-ü-\u2603")
            self.assertEqual(caught.exception.code, USAGE)
        self.assertEqual(proxy.sent_text(), "")
        self.assertFalse(self.project.path(SHARED).exists())

    def test_clear_keeps_the_rest_of_the_file(self) -> None:
        self.bus.publish("a", {})
        self.client.patch(SHARED, {"owner": "team"})
        self.bus.clear()
        document = json.loads(self.project.path(SHARED).read_text())
        self.assertEqual(document["events"], [])
        self.assertEqual(document["owner"], "team")

    def test_follow_yields_new_events_in_order_across_a_server_restart(self) -> None:
        self.bus.publish("before", {"n": 0})
        seen: List[Dict[str, Any]] = []
        errors: List[BaseException] = []
        follower = Client(self.project.root, autostart=False)
        stream = follower.bus(SHARED).follow(reconnect_for=60)

        def consume() -> None:
            try:
                for event in stream:
                    seen.append(event)
                    if len(seen) == 6:
                        return
            except BaseException as error:
                errors.append(error)

        thread = threading.Thread(target=consume, daemon=True)
        thread.start()
        for n in range(1, 4):
            self.bus.publish("step", {"n": n})
        wait_for(lambda: len(seen) == 3 or bool(errors), "the first three events")
        self.project.stop()
        self.project.start()
        for n in range(4, 7):
            self.bus.publish("step", {"n": n})
        thread.join(timeout=60)
        self.assertEqual(errors, [])
        self.assertEqual([e["payload"]["n"] for e in seen], [1, 2, 3, 4, 5, 6])
        self.assertEqual([e["seq"] for e in seen], [2, 3, 4, 5, 6, 7])
        stream.close()
        follower.close()

    def test_follow_from_a_seq_replays_what_came_after_it(self) -> None:
        for n in range(5):
            self.bus.publish("step", {"n": n})
        stream = self.bus.follow(since=2)
        got = [next(stream)["seq"] for _ in range(3)]
        stream.close()
        self.assertEqual(got, [3, 4, 5])


class TcpTest(unittest.TestCase):
    """``prevention serve --port N`` on 127.0.0.1, every request with the bearer token."""

    def setUp(self) -> None:
        self.project = Project()
        self.addCleanup(self.project.cleanup)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.token = "a-token-for-tests-only"
        self.project.start("--port", str(self.port), PREVENTION_SERVE_TOKEN=self.token)
        self.url = f"http://127.0.0.1:{self.port}"

    def test_the_token_opens_the_service(self) -> None:
        token_file = self.project.path("token.txt")
        token_file.write_text(f"{self.token}\nnot part of it\n")
        os.environ["PREVENTION_TOKEN_FILE"] = str(token_file)
        self.addCleanup(os.environ.pop, "PREVENTION_TOKEN_FILE")
        with Client(self.project.root, url=self.url) as client:
            client.write("state.json", {"over": "tcp"})
            self.assertEqual(client.read("state.json"), {"over": "tcp"})
            self.assertEqual(client.bus(SHARED).publish("tcp", {"n": 1})["seq"], 1)

    def test_a_wrong_token_is_unauthorized(self) -> None:
        with Client(self.project.root, url=self.url, token="wrong") as client:
            with self.assertRaises(PreventionError) as caught:
                client.read("state.json")
        self.assertEqual((caught.exception.code, caught.exception.status), ("PREVENTION_UNAUTHORIZED", 401))

    def test_tcp_without_a_token_is_refused_before_connecting(self) -> None:
        for name in ("PREVENTION_SERVE_TOKEN", "PREVENTION_TOKEN_FILE"):
            if name in os.environ:
                self.addCleanup(os.environ.__setitem__, name, os.environ.pop(name))
        with self.assertRaises(PreventionError) as caught:
            Client(self.project.root, url=self.url)
        self.assertEqual(caught.exception.code, USAGE)
