"""Pieces of the WeChat official account channel (bot/plugins/channels/wechat.py puts them together).

crypto: signatures and the AES message envelope · xml: safe parsing and reply building ·
render: bot messages → WeChat text · api: access token + customer-service messages + menu ·
store: the tables shared by workers · dedupe: each message processed once · menu: the menu command.
"""
