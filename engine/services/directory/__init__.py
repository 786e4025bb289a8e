"""The service directory: who offers what, where, to whom (HSDS 3.0 in and out), and matching at the referral step."""
