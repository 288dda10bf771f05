"""Use cases: what drip does, called by the shells (CLI, daemon, web) and by the demo.

app            open the configured world once: plan, article, renderer, store, secret
subscriptions  subscribe, confirm, unsubscribe, pause, resume, change cause, erase
importing      import patients from CSV, reporting each bad row
dispatch       one pass: claim due deliveries, re-check, render, send, record
"""
