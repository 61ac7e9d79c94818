"""JSON shapes of the API's answers, as the official OpenAPI description has them.

Timestamps are UTC ``YYYY-MM-DDTHH:MM:SS.SSSZ``; blank values are ``null`` where the
description allows it (strings it declares non-nullable stay strings).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from pubsmith_sandbox.catalog import DISTROS
from pubsmith_sandbox.records import PackageFileRef, PackageRecord, Phase, package_phase
from pubsmith_sandbox.web_urls import package_page_url

__all__ = ["package_json", "search_fields", "status_json", "timestamp"]

_STATUS: dict[Phase, tuple[int, str]] = {
    "awaiting": (1, "Awaiting Synchronisation"),
    "in_progress": (2, "Synchronising"),
    "completed": (3, "Completed"),
    "failed": (4, "Failed"),
}
_STAGE: dict[Phase, tuple[int, str]] = {
    "awaiting": (0, "Pending"),
    "in_progress": (2, "Processing"),
    "completed": (9, "Fully Synchronised"),
    "failed": (2, "Processing"),
}
_NOT_EXTRAS = {"package_file", "republish", "tags", "summary", "description", "name", "version"}


def timestamp(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def status_json(record: PackageRecord, api: str, now: float) -> dict[str, Any]:
    """The PackageStatus shape; every package representation starts with it."""
    phase, progress = package_phase(record, now)
    status, status_str = _STATUS[phase]
    stage, stage_str = _STAGE[phase]
    done = phase in ("completed", "failed")
    span = record.due_at - record.queued_at
    changed = record.finished_at if done else record.queued_at + (span * 0.2 if stage else 0)
    return {
        "is_cancellable": not done,
        "is_copyable": phase == "completed",
        "is_deleteable": True,
        "is_downloadable": phase == "completed",
        "is_hidden": False,
        "is_moveable": phase == "completed",
        "is_quarantinable": phase == "completed",
        "is_quarantined": False,
        "is_resyncable": done,
        "is_security_scannable": phase == "completed",
        "is_sync_awaiting": phase == "awaiting",
        "is_sync_completed": phase == "completed",
        "is_sync_failed": phase == "failed",
        "is_sync_in_flight": not done,
        "is_sync_in_progress": phase == "in_progress",
        "self_url": _self_url(record, api),
        "stage": stage,
        "stage_str": stage_str,
        "stage_updated_at": timestamp(changed),
        "status": status,
        "status_reason": record.status_reason,
        "status_str": status_str,
        "status_updated_at": timestamp(changed),
        "sync_finished_at": timestamp(record.finished_at) if done else None,
        "sync_progress": progress,
    }


def package_json(record: PackageRecord, api: str, now: float) -> dict[str, Any]:
    """The Package shape (and PackageDetail, PackageCopy, <Format>PackageUpload...)."""
    data = status_json(record, api, now)
    self_url = data["self_url"]
    completed = data["is_sync_completed"]
    distro, distro_version = _distro(record, api)
    owner_url = f"{api}/namespaces/{record.owner}/"
    repo_url = f"{api}/repos/{record.owner}/{record.repo}/"
    web_url = package_page_url(api, record.owner, record.repo, record.format, record.slug_perm)
    data.update(
        {
            "architectures": [],
            "cdn_url": None,
            "checksum_md5": record.md5 or "",
            "checksum_sha1": record.sha1 or "",
            "checksum_sha256": record.sha256 or "",
            "checksum_sha512": record.sha512 or "",
            "dependencies_checksum_md5": None,
            "dependencies_url": f"{self_url}dependencies/",
            "description": record.payload.get("description"),
            "display_name": record.name or record.filename,
            "distro": distro,
            "distro_version": distro_version,
            "downloads": 0,
            "epoch": None,
            "extension": _extension(record.filename),
            "filename": record.filename,
            "filepath": record.payload.get("filepath"),
            "files": [
                _file_json(record, ref, index == 0, completed)
                for index, ref in enumerate(record.files)
            ],
            "format": record.format,
            "format_url": f"{api}/formats/{record.format}/",
            "freeable_storage": 0,
            "fully_qualified_name": None,
            "has_dependencies": False,
            "identifier_perm": record.slug_perm,
            "identifiers": {},
            "indexed": completed,
            "is_malware_detected": False,
            "license": None,
            "name": record.name,
            "namespace": record.owner,
            "namespace_url": owner_url,
            "num_files": len(record.files),
            "origin_repository": record.repo,
            "origin_repository_url": repo_url,
            "osi_approved": False,
            "package_type": 1,
            "policy_violated": False,
            "raw_license": None,
            "release": None,
            "repository": record.repo,
            "repository_url": repo_url,
            "security_scan_completed_at": None,
            "security_scan_started_at": None,
            "security_scan_status": None,
            "security_scan_status_updated_at": None,
            "self_html_url": web_url,
            "self_webapp_url": web_url,
            "signature_url": None,
            "size": record.size or 0,
            "slug": record.slug,
            "slug_perm": record.slug_perm,
            "spdx_license": None,
            "status_url": f"{self_url}status/",
            "store_path": None,
            "subtype": "",
            "summary": record.payload.get("summary"),
            "tags": {"info": list(record.tags)} if record.tags else {},
            "tags_automatic": {},
            "tags_immutable": {"info": list(record.tags_immutable)}
            if record.tags_immutable
            else {},
            "tags_static": {},
            "type_display": "binary",
            "uploaded_at": timestamp(record.uploaded_at),
            "uploader": "sandbox",
            "uploader_url": f"{api}/users/profile/sandbox/",
            "version": record.version,
            "version_orig": record.version or "",
            "vulnerability_counts": None,
            "vulnerability_scan_results_url": f"{self_url}vulnerabilities/",
        }
    )
    for key, value in record.payload.items():
        if key not in _NOT_EXTRAS and key not in data and not key.endswith("_file"):
            data[key] = value
    return data


def search_fields(record: PackageRecord, now: float) -> dict[str, Any]:
    """What packages_list's ``query`` and ``sort`` look at."""
    phase, _ = package_phase(record, now)
    return {
        "name": record.name,
        "version": record.version,
        "filename": record.filename,
        "format": record.format,
        "distribution": record.payload.get("distribution"),
        "architecture": _architecture(record.filename),
        "type": "source" if _SOURCE.search(record.filename) else "binary",
        "license": None,
        "repository": record.repo,
        "downloads": 0,
        "tag": [*record.tags, *record.tags_immutable],
        "status": phase,
        "checksum": [
            value for value in (record.md5, record.sha1, record.sha256, record.sha512) if value
        ],
        "size": record.size,
        "uploaded_at": record.uploaded_at,
        "scan_status": None,  # the sandbox scans nothing
        "scan_date": None,
        "record": record,
    }


# Source packages by their file names: an sdist, a Debian source description, a source rpm.
_SOURCE = re.compile(r"(\.tar\.gz|\.zip|\.dsc|\.src\.rpm)$")
# The architecture in a deb's (name_version_ARCH.deb), an rpm's (name-v-r.ARCH.rpm) or a
# wheel's (name-v-py-abi-PLATFORM.whl) file name.
_ARCHITECTURE = re.compile(r"_([a-z0-9]+)\.deb$|\.([a-z0-9_]+)\.rpm$|-([a-z0-9_]+)\.whl$")


def _architecture(filename: str) -> str | None:
    found = _ARCHITECTURE.search(filename)
    return next((group for group in found.groups() if group), None) if found else None


def _self_url(record: PackageRecord, api: str) -> str:
    return f"{api}/packages/{record.owner}/{record.repo}/{record.slug_perm}/"


def _file_json(
    record: PackageRecord, ref: PackageFileRef, primary: bool, completed: bool
) -> dict[str, Any]:
    return {
        "cdn_url": None,
        "checksum_md5": record.md5 if primary else None,
        "checksum_sha1": record.sha1 if primary else None,
        "checksum_sha256": record.sha256 if primary else None,
        "checksum_sha512": record.sha512 if primary else None,
        "downloads": 0,
        "filename": ref.filename,
        "is_downloadable": completed,
        "is_primary": primary,
        "is_synchronised": completed,
        "signature_url": None,
        "size": ref.size,
        "slug_perm": record.slug_perm if primary else ref.identifier,
        "tag": "pkg" if primary else ref.field.removesuffix("_file"),
    }


def _distro(record: PackageRecord, api: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    distro_slug, _, version_slug = str(record.payload.get("distribution") or "").partition("/")
    for distro in DISTROS:
        if distro.slug == distro_slug and distro.format == record.format:
            names = dict(distro.versions)
            return (
                {
                    "name": distro.name,
                    "self_url": f"{api}/distros/{distro.slug}/",
                    "slug": distro.slug,
                    "variants": None,
                },
                {"name": names.get(version_slug, version_slug), "slug": version_slug},
            )
    return None, {}


def _extension(filename: str) -> str:
    for double in (".tar.gz", ".tar.bz2", ".tar.xz", ".nar.xz"):
        if filename.endswith(double):
            return double
    dot = filename.rfind(".")
    return filename[dot:] if dot > 0 else ""
