"""Referrals: what the referral steps do to their rows, providers' answers, and how readers see them."""
