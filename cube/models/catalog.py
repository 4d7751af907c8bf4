"""What work is done on: companies, the product catalog and its categories."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cube.models.base import LONG_TEXT, TABLE_OPTIONS, Base, TimestampMixin, TreeNodeMixin

MONEY = Numeric(12, 2)
QUANTITY = Numeric(14, 3)


class Company(TimestampMixin, Base):
    """A customer, vendor and/or manufacturer."""

    __tablename__ = "companies"
    __table_args__ = (
        # The pickers' search by a word's start on PostgreSQL (LIKE 'term%' or '% term%').
        Index("ix_companies_name_trgm", text("lower(name) gin_trgm_ops"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_customer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_vendor: Mapped[bool] = mapped_column(Boolean, default=False)
    is_manufacturer: Mapped[bool] = mapped_column(Boolean, default=False)
    street: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(LONG_TEXT, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    contacts: Mapped[list[CompanyContact]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="CompanyContact.name"
    )

    @property
    def kinds(self) -> list[str]:
        """The roles this company plays, for display."""
        return [
            label
            for label, flag in (
                ("customer", self.is_customer),
                ("vendor", self.is_vendor),
                ("manufacturer", self.is_manufacturer),
            )
            if flag
        ]

    def __repr__(self) -> str:
        return f"<Company {self.name}>"


class CompanyContact(Base):
    """A person to talk to at a company."""

    __tablename__ = "company_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[str] = mapped_column(String(120), default="")

    company: Mapped[Company] = relationship(back_populates="contacts")


class ProductCategory(TreeNodeMixin, TimestampMixin, Base):
    """A node in the category tree."""

    __tablename__ = "product_categories"
    __table_args__ = (UniqueConstraint("parent_id", "name"), TABLE_OPTIONS)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id", ondelete="RESTRICT"), index=True)

    parent: Mapped[ProductCategory | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[ProductCategory]] = relationship(back_populates="parent", order_by="ProductCategory.name")

    def __repr__(self) -> str:
        return f"<ProductCategory {self.name}>"


class Product(TimestampMixin, Base):
    """A catalog item, identified by a case-insensitive SKU."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("min_stock >= 0", name="min_stock_not_negative"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        Index("ix_products_active_name", "active", "name", "id"),
        Index("ix_products_active_on_hand", "active", "on_hand"),
        # Low-stock list: only the few rows below their minimum are in this index.
        Index(
            "ix_products_low_stock",
            "name",
            "id",
            postgresql_where=text("active AND min_stock > 0 AND on_hand < min_stock"),
            sqlite_where=text("active AND min_stock > 0 AND on_hand < min_stock"),
        ),
        # Substring search on PostgreSQL: trigram indexes serve LIKE '%term%'.
        Index(
            "ix_products_sku_key_trgm", "sku_key", postgresql_using="gin", postgresql_ops={"sku_key": "gin_trgm_ops"}
        ).ddl_if(dialect="postgresql"),
        Index("ix_products_name_trgm", text("lower(name) gin_trgm_ops"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    sku_key: Mapped[str] = mapped_column(String(64), unique=True)  # lower-cased SKU: uniqueness ignores case
    name: Mapped[str] = mapped_column(String(200), index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_categories.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(LONG_TEXT, default="")
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    unit: Mapped[str] = mapped_column(String(16), default="each")
    unit_cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    unit_price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    specs: Mapped[list[list[str]]] = mapped_column(JSON, default=list)  # ordered [name, value] pairs
    is_spare_part: Mapped[bool] = mapped_column(Boolean, default=False)
    min_stock: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0"))
    # Stock over all locations: the sum of stock_levels, kept in the same transaction by the
    # inventory service so lists can sort and filter on it without aggregating the ledger.
    on_hand: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    category: Mapped[ProductCategory | None] = relationship()
    manufacturer: Mapped[Company | None] = relationship()
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Product {self.sku}>"


class ProductImage(TimestampMixin, Base):
    """An uploaded picture of a product, stored under a random name with a thumbnail."""

    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    thumbnail_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="images")
