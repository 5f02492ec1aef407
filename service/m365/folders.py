"""Mail folder ids by path, per mailbox, created on demand and cached.

A path is ``/``-separated display names, e.g. ``"Review Clerk/Processed"``.
Its first segment may be a Graph well-known folder name (``inbox``,
``deleteditems``…; case-insensitive), which works whatever language the
mailbox was set up in; otherwise it names a top-level folder. Folder ids are
stable (they are not affected by moves), so they are cached for the life of
the object.
"""

from __future__ import annotations

import logging
import threading

from .errors import GraphError
from .formats import odata_string, seg
from .http import GraphHttp

log = logging.getLogger("review_clerk.m365")

WELL_KNOWN_FOLDERS = frozenset({
    "archive", "clutter", "conflicts", "conversationhistory", "deleteditems", "drafts", "inbox",
    "junkemail", "localfailures", "msgfolderroot", "outbox", "recoverableitemsdeletions",
    "scheduled", "searchfolders", "sentitems", "serverfailures", "syncissues",
})


class MailFolders:
    """Folder ids of one mailbox. Thread-safe."""

    def __init__(self, http: GraphHttp, mailbox: str):
        self._http = http
        self._mailbox = mailbox
        self._ids: dict[str, str] = {}
        self._lock = threading.Lock()

    def resolve(self, path: str, *, create: bool = False) -> str:
        """The id of the folder at ``path``; with ``create``, missing folders are made.

        Raises a permanent GraphError when the folder does not exist and
        ``create`` is false.
        """
        names = [p.strip() for p in path.split("/") if p.strip()]
        if not names:
            raise ValueError("empty folder path")
        with self._lock:
            parent: str | None = None
            walked: list[str] = []
            for depth, name in enumerate(names):
                walked.append(name.lower())
                cache_key = "/".join(walked)
                if cache_key in self._ids:
                    parent = self._ids[cache_key]
                    continue
                folder_id = self._find(parent, name, top=depth == 0)
                if folder_id is None:
                    if not create:
                        raise GraphError(f"no mail folder {'/'.join(names[:depth + 1])!r} in {self._mailbox}",
                                         status=404, code="ErrorFolderNotFound", permanent=True)
                    folder_id = self._create(parent, name)
                self._ids[cache_key] = folder_id
                parent = folder_id
            assert parent is not None
            return parent

    def _collection(self, parent: str | None) -> str:
        base = f"users/{seg(self._mailbox)}/mailFolders"
        return base if parent is None else f"{base}/{seg(parent)}/childFolders"

    def _find(self, parent: str | None, name: str, *, top: bool) -> str | None:
        if top and name.lower() in WELL_KNOWN_FOLDERS:
            body = self._http.json("GET", f"users/{seg(self._mailbox)}/mailFolders/{name.lower()}",
                                   params={"$select": "id,displayName"})
            return body["id"]
        body = self._http.json("GET", self._collection(parent),
                               params={"$filter": f"displayName eq {odata_string(name)}",
                                       "$select": "id,displayName"})
        for folder in body.get("value", []):
            if str(folder.get("displayName", "")).lower() == name.lower():
                return folder["id"]
        return None

    def _create(self, parent: str | None, name: str) -> str:
        try:
            # Safe to replay: a second create of the same name answers 409.
            body = self._http.json("POST", self._collection(parent), json={"displayName": name},
                                   replay_safe=True)
        except GraphError as exc:
            if exc.status == 409:  # ErrorFolderExists: another worker (or our lost reply) made it
                found = self._find(parent, name, top=False)
                if found:
                    return found
            raise
        log.info("created mail folder %r in %s", name, self._mailbox)
        return body["id"]
