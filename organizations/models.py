from django.db import models


class Kind(models.TextChoices):
    DISTRICT_COUNCIL = "district_council", "управа района"
    PREFECTURE = "prefecture", "префектура"
    HOUSING_SERVICE = "housing_service", "ГБУ «Жилищник»"
    MANAGING_COMPANY = "managing_company", "управляющая компания"
    ROAD_SERVICE = "road_service", "дорожная служба"
    UTILITY = "utility", "ресурсоснабжающая организация"
    TRANSPORT = "transport", "транспортный оператор"
    CITY_DEPARTMENT = "city_department", "департамент города"
    INSPECTORATE = "inspectorate", "инспекция"


# Kinds that supervise others and receive their escalations.
SUPERVISORY_KINDS = (Kind.PREFECTURE, Kind.INSPECTORATE, Kind.CITY_DEPARTMENT)


class Organization(models.Model):
    """A body that answers reports, or supervises those that do."""

    code = models.SlugField("код", max_length=80, unique=True)
    name = models.CharField("название", max_length=300)
    kind = models.CharField("тип", max_length=30, choices=Kind.choices)
    city_wide = models.BooleanField("по всему городу", default=False)
    districts = models.ManyToManyField(
        "places.District", verbose_name="районы", blank=True, related_name="organizations"
    )
    okrug = models.ForeignKey(
        "places.Okrug",
        verbose_name="округ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    buildings = models.ManyToManyField(
        "places.Building",
        verbose_name="дома в управлении",
        blank=True,
        related_name="managing_companies",
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name="контролирующий орган",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised",
    )
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("телефон", max_length=64, blank=True)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "организация"
        verbose_name_plural = "организации"
        ordering = ["name"]
        indexes = [
            # Routing: the organization of a kind that serves a district.
            models.Index(fields=["kind", "city_wide"], name="org_kind_city_wide"),
        ]

    def __str__(self) -> str:
        return self.name
