"""All models, importable from one place (and seen by Alembic)."""

from cube.models.assets import Asset, AssetStatus, Location, LocationKind
from cube.models.audit import AuditEvent
from cube.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from cube.models.catalog import Company, CompanyContact, Product, ProductCategory, ProductImage
from cube.models.inventory import MovementKind, StockLevel, StockMovement
from cube.models.user import Role, RolePermission, Team, User, team_members

__all__ = [
    "Asset",
    "AssetStatus",
    "AuditEvent",
    "Base",
    "Company",
    "CompanyContact",
    "Location",
    "LocationKind",
    "MovementKind",
    "Product",
    "ProductCategory",
    "ProductImage",
    "Role",
    "RolePermission",
    "StockLevel",
    "StockMovement",
    "Team",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "team_members",
    "utcnow",
]
