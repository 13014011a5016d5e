"""Garmin Connect paths the adapter aims at a local server; the local server (a test double) imports them."""

DI_TOKEN_PATH = "/di-oauth2-service/oauth/token"
