"""Signing in and out, sessions with an idle timeout, sign-in throttling and personal API tokens."""
