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

__all__ = [
    "Asset",
    "AssetStatus",
    "Attachment",
    "AuditEvent",
    "Base",
    "ChecklistItem",
    "ChecklistTemplate",
    "Comment",
    "Company",
    "CompanyContact",
    "CustomField",
    "Guard",
    "Location",
    "LocationKind",
    "MovementKind",
    "PartUsage",
    "Priority",
    "Product",
    "ProductCategory",
    "ProductImage",
    "Role",
    "RolePermission",
    "SiteSettings",
    "Status",
    "StatusCategory",
    "StockLevel",
    "StockMovement",
    "Team",
    "TimeLog",
    "TimestampMixin",
    "Transition",
    "UTCDateTime",
    "User",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkOrderSequence",
    "WorkOrderStatusPeriod",
    "WorkOrderType",
    "team_members",
    "utcnow",
    "work_order_assignees",
]
