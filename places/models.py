from django.contrib.gis.db import models


class Okrug(models.Model):
    """An administrative okrug (АО), run by a prefecture."""

    name = models.CharField("название", max_length=100, unique=True)
    abbrev = models.CharField("сокращение", max_length=40, unique=True)
    okato = models.CharField("ОКАТО", max_length=11, unique=True)
    # Spatial index (the default) serves the point -> okrug lookup.
    boundary = models.MultiPolygonField("граница", srid=4326)

    class Meta:
        verbose_name = "округ"
        verbose_name_plural = "округа"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A district (район) or a settlement of New Moscow."""

    class Kind(models.TextChoices):
        DISTRICT = "district", "район"
        SETTLEMENT = "settlement", "поселение"
        CITY_DISTRICT = "city_district", "городской округ"

    name = models.CharField("название", max_length=100)
    kind = models.CharField("тип", max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    okrug = models.ForeignKey(Okrug, verbose_name="округ", on_delete=models.PROTECT, related_name="districts")
    okato = models.CharField("ОКАТО", max_length=11, unique=True)
    oktmo = models.CharField("ОКТМО", max_length=11, blank=True)
    # Spatial index (the default) serves places.geo.locate().
    boundary = models.MultiPolygonField("граница", srid=4326)

    class Meta:
        verbose_name = "район"
        verbose_name_plural = "районы"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["okrug", "name"], name="district_name_unique_in_okrug"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """«район Тверской», «поселение Сосенское»."""
        return f"{self.get_kind_display()} {self.name}"


class Building(models.Model):
    """An apartment building (МКД) of the «Реформа ЖКХ» register: the address
    register for search and for routing to managing companies."""

    source_id = models.CharField("код в реестре", max_length=20, unique=True)
    address = models.CharField("адрес", max_length=300)
    # Lower-cased, «ё» folded, abbreviations expanded: what address search matches.
    search_text = models.CharField(max_length=400, db_index=True)
    point = models.PointField("точка", srid=4326)
    district = models.ForeignKey(
        District,
        verbose_name="район",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buildings",
    )
    management_company_name = models.CharField("управляющая компания", max_length=300, blank=True)
    year_built = models.PositiveSmallIntegerField("год постройки", null=True, blank=True)
    floors = models.PositiveSmallIntegerField("этажность", null=True, blank=True)

    class Meta:
        verbose_name = "дом"
        verbose_name_plural = "дома"
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    @property
    def short_address(self) -> str:
        return self.address.removeprefix("г. Москва, ")
