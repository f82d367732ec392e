from __future__ import annotations

from rest_framework import serializers

from loyalty.models import Reason, Reward


class BalanceSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    earned_today = serializers.IntegerField(help_text="Начислено сегодня (к дневному пределу).")


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="Плюс — начисление, минус — списание.")
    reason = serializers.ChoiceField(choices=Reason.choices)
    reason_label = serializers.CharField(source="get_reason_display")
    report = serializers.IntegerField(source="report_id", allow_null=True)
    reward = serializers.CharField(source="reward.title", allow_null=True, default=None)
    fund = serializers.CharField(source="donation.fund.name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class RewardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    partner = serializers.CharField()
    kind = serializers.ChoiceField(choices=Reward.Kind.choices)
    description = serializers.CharField()
    how_to_use = serializers.CharField()
    price = serializers.IntegerField()
    in_stock = serializers.IntegerField(help_text="Сколько кодов осталось.")


class CodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reward = serializers.CharField(source="reward.title")
    partner = serializers.CharField(source="reward.partner")
    how_to_use = serializers.CharField(source="reward.how_to_use")
    value = serializers.CharField(help_text="Промокод или номер билета.")
    issued_at = serializers.DateTimeField()


class FundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField()
    total = serializers.IntegerField(help_text="Всего пожертвовано баллов.")
    donors = serializers.IntegerField()


class SpendSerializer(serializers.Serializer):
    key = serializers.UUIDField(
        required=False,
        help_text="Ключ запроса от приложения: повтор с тем же ключом ничего не списывает второй раз. "
        "Можно передать заголовком Idempotency-Key.",
    )


class DonateSerializer(SpendSerializer):
    amount = serializers.IntegerField(min_value=1)


class DonationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fund = serializers.CharField(source="fund.name")
    amount = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    balance = serializers.IntegerField()


class RedeemedSerializer(CodeSerializer):
    balance = serializers.IntegerField()
