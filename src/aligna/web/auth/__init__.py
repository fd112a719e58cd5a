"""Authentication: accounts, passwords, sessions, tokens, rate limits and single sign-on."""
