"""The case page: stage, open tasks, referrals, consents and history."""
