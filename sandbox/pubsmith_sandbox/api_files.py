"""The files endpoints and the upload endpoints they hand out (presigned POST and PUT, parts).

files_create answers like the real service: ``post`` gets S3-style form fields with a
signed policy, ``put`` a signed querystring, ``put_parts`` the parts URL and upload id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from pubsmith_sandbox.errors import BadRequest, NotFound, Unauthorized
from pubsmith_sandbox.link import ShapedBody
from pubsmith_sandbox.multipart import MultipartReader, boundary_of
from pubsmith_sandbox.protocol import Request, Response, Route
from pubsmith_sandbox.records import UploadRecord
from pubsmith_sandbox.uploads import safe_filename
from pubsmith_sandbox.validation import validate_body

if TYPE_CHECKING:
    from pubsmith_sandbox.app import SandboxApp

__all__ = ["file_routes"]

_FIELD_LIMIT = 64 * 1024
_PUT_METHODS = ("put", "presigned", "unsigned_put")


def file_routes(app: SandboxApp) -> list[Route]:
    api = _FilesApi(app)
    base = "/files/{owner}/{repo}"
    return [
        Route("POST", f"{base}/validate/", "files_validate", api.validate),
        Route("POST", f"{base}/", "files_create", api.create),
        Route("GET", f"{base}/{{identifier}}/info/", "files_info", api.info),
        Route("POST", f"{base}/{{identifier}}/complete/", "files_complete", api.complete),
        Route("POST", f"{base}/{{identifier}}/abort/", "files_abort", api.abort),
        Route("POST", "/_sandbox/upload/post/", "sandbox_upload_post", api.upload_post),
        Route(
            "PUT",
            "/_sandbox/upload/put/{identifier}/{filename}",
            "sandbox_upload_put",
            api.upload_put,
        ),
        Route("PUT", "/_sandbox/upload/parts/", "sandbox_upload_part", api.upload_part),
    ]


class _FilesApi:
    def __init__(self, app: SandboxApp) -> None:
        self._app = app
        self._uploads = app.uploads

    def validate(self, request: Request) -> Response:
        self._app.repo_of(request)
        safe_filename(validate_body("PackageFileUploadRequest", request.json())["filename"])
        return Response(204)

    def create(self, request: Request) -> Response:
        owner, repo = self._app.repo_of(request)
        fields = validate_body("PackageFileUploadRequest", request.json())
        record = self._uploads.create(owner, repo, fields)
        return Response(202, self._upload_json(record, request.root))

    def info(self, request: Request) -> Response:
        record = self._in_repo(request)
        if record.method != "put_parts":
            raise BadRequest(400, "The provided upload file was not a multipart upload.")
        query = {"upload_id": record.identifier}
        if "part_number" in request.query:
            query["part_number"] = str(request.number("part_number", 1))
        return Response(
            200,
            {
                "identifier": record.identifier,
                "upload_querystring": urlencode(query),
                "upload_url": f"{request.root}/_sandbox/upload/parts/",
            },
        )

    def complete(self, request: Request) -> Response:
        record = self._uploads.complete(self._in_repo(request), request.json())
        return Response(201, self._upload_json(record, request.root))

    def abort(self, request: Request) -> Response:
        self._uploads.abort(self._in_repo(request))
        return Response(204)

    def upload_post(self, request: Request) -> Response:
        self._app.record_credentials("post", request.headers)
        boundary = boundary_of(request.headers.get("Content-Type", ""))
        reader = MultipartReader(ShapedBody(request.body, self._app.link), boundary)
        fields: dict[str, str] = {}
        while (part := reader.next_part()) is not None:
            if part.name != "file":
                fields[part.name] = reader.read(_FIELD_LIMIT).decode("utf-8", "replace")
                continue
            record = self._policy_upload(fields)
            sink = self._uploads.sink_for(record)
            try:
                reader.stream(sink.write)
                while reader.next_part() is not None:
                    pass  # S3 ignores fields after the file; so does the sandbox
            except BaseException:
                sink.discard()
                raise
            self._uploads.finish(record, sink)
            return Response(204)
        raise BadRequest(400, "The form has no file; send it last, in a part named file.")

    def upload_put(self, request: Request) -> Response:
        self._app.record_credentials("put", request.headers)
        record = self._uploads.get(request.params["identifier"])
        if record is None:
            raise NotFound(404, "Not found.")
        if record.method not in _PUT_METHODS:
            raise BadRequest(400, f"This upload was requested for method {record.method}.")
        if record.method != "unsigned_put":
            expires = request.query.get("expires", "")
            signature = request.query.get("signature", "")
            if not self._app.signer.verify(signature, "put", record.identifier, expires):
                raise Unauthorized(403, "The upload signature does not match the URL.")
            if not expires.isdigit() or int(expires) < self._app.clock.now():
                raise Unauthorized(403, "The upload URL has expired; request a new one.")
        finished = self._uploads.receive(record, ShapedBody(request.body, self._app.link))
        return Response(200, None, {"ETag": f'"{finished.md5 or finished.identifier}"'})

    def upload_part(self, request: Request) -> Response:
        self._app.auth.authenticate(request.headers)
        upload_id = request.query.get("upload_id", "")
        if not upload_id:
            raise BadRequest(400, "upload_id is required: the identifier from files_create.")
        part_number = request.number("part_number", 0)
        if not 1 <= part_number <= 10000:
            raise BadRequest(400, "part_number must be a whole number from 1 to 10000.")
        record = self._uploads.get(upload_id)
        if record is None:
            raise NotFound(404, "Not found.")
        body = ShapedBody(request.body, self._app.link)
        etag = self._uploads.receive_part(record, part_number, body, request.body.length)
        return Response(200, None, {"ETag": f'"{etag}"'})

    def _in_repo(self, request: Request) -> UploadRecord:
        owner, repo = self._app.repo_of(request)
        return self._uploads.in_repo(owner, repo, request.params["identifier"])

    def _policy_upload(self, fields: dict[str, str]) -> UploadRecord:
        signer = self._app.signer
        policy = signer.decode_policy(fields.get("policy", ""), fields.get("signature", ""))
        if not policy or policy.get("key") != fields.get("key"):
            raise Unauthorized(403, "The upload policy or its signature does not match.")
        if policy.get("expires", 0) < self._app.clock.now():
            raise Unauthorized(403, "The upload policy has expired; request a new upload.")
        record = self._uploads.get(str(policy.get("identifier")))
        if record is None:
            raise NotFound(404, "Not found.")
        return record

    def _upload_json(self, record: UploadRecord, root: str) -> dict[str, Any]:
        fields: dict[str, str] | None = None
        headers: dict[str, str] | None = None
        querystring: str | None = None
        if record.method == "post":
            url = f"{root}/_sandbox/upload/post/"
            key = f"{record.identifier}/{record.filename}"
            policy, signature = self._app.signer.encode_policy(
                {"key": key, "identifier": record.identifier, "expires": self._uploads.expires()}
            )
            fields = {"key": key, "policy": policy, "signature": signature}
        elif record.method == "put_parts":
            url = f"{root}/_sandbox/upload/parts/"
            querystring = urlencode({"upload_id": record.identifier})
        else:
            # The key ends in the filename, as S3's does (and curl -T appends none to it).
            url = f"{root}/_sandbox/upload/put/{record.identifier}/{quote(record.filename)}"
            headers = {"Content-Type": "application/octet-stream"}
            if record.method != "unsigned_put":
                expires = str(self._uploads.expires())
                signature = self._app.signer.sign("put", record.identifier, expires)
                querystring = urlencode({"expires": expires, "signature": signature})
        return {
            "identifier": record.identifier,
            "upload_fields": fields,
            "upload_headers": headers,
            "upload_querystring": querystring,
            "upload_url": url,
        }
