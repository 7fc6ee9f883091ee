"""What Rasa and the action server load: NLU components (``nlu``), input channels (``channels``, with
the WeChat pieces in ``wechat``), the SQL tracker store with masking, the Redis lock store, Rasa's
command line with the per-turn patches (``python -m bot.plugins.rasa_main``) and the action server
launcher (``python -m bot.plugins.action_server``). Registered by module path in config.yml,
credentials.yml and endpoints.yml."""
