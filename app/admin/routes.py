"""The administration pages (administrators only): users, review cycles, reference texts and the audit log."""

from __future__ import annotations

from fastapi import APIRouter

from app.admin.audit_log import router as audit_log_router
from app.admin.cycles import router as cycles_router
from app.admin.reference_texts import router as reference_texts_router
from app.admin.users import router as users_router

router = APIRouter(include_in_schema=False)
router.include_router(users_router)
router.include_router(cycles_router)
router.include_router(reference_texts_router)
router.include_router(audit_log_router)
