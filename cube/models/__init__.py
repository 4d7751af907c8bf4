"""All models, importable from one place (and seen by Alembic)."""

from cube.models.assets import Asset, AssetStatus, Location, LocationKind
from cube.models.audit import AuditEvent
from cube.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from cube.models.catalog import Company, CompanyContact, Product, ProductCategory, ProductImage
from cube.models.inventory import MovementKind, StockLevel, StockMovement
from cube.models.settings import SiteSettings
from cube.models.user import Role, RolePermission, Team, User, team_members
from cube.models.workorders import (
    Attachment,
    ChecklistItem,
    ChecklistTemplate,
    Comment,
    CustomField,
    Guard,
    PartUsage,
    Priority,
    Status,
    StatusCategory,
    TimeLog,
    Transition,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderSequence,
    WorkOrderStatusPeriod,
    WorkOrderType,
    work_order_assignees,
)

# The names this package exports (code names, not words a person reads).
__all__ = [
    "Asset",  # i18n: not shown (export name)
    "AssetStatus",
    "Attachment",  # i18n: not shown (export name)
    "AuditEvent",
    "Base",  # i18n: not shown (export name)
    "ChecklistItem",
    "ChecklistTemplate",
    "Comment",  # i18n: not shown (export name)
    "Company",  # i18n: not shown (export name)
    "CompanyContact",
    "CustomField",
    "Guard",  # i18n: not shown (export name)
    "Location",  # i18n: not shown (export name)
    "LocationKind",
    "MovementKind",
    "PartUsage",
    "Priority",  # i18n: not shown (export name)
    "Product",  # i18n: not shown (export name)
    "ProductCategory",
    "ProductImage",
    "Role",  # i18n: not shown (export name)
    "RolePermission",
    "SiteSettings",
    "Status",  # i18n: not shown (export name)
    "StatusCategory",
    "StockLevel",
    "StockMovement",
    "Team",  # i18n: not shown (export name)
    "TimeLog",
    "TimestampMixin",
    "Transition",  # i18n: not shown (export name)
    "UTCDateTime",
    "User",  # i18n: not shown (export name)
    "WorkOrder",
    "WorkOrderEvent",
    "WorkOrderSequence",
    "WorkOrderStatusPeriod",
    "WorkOrderType",
    "team_members",
    "utcnow",
    "work_order_assignees",
]
