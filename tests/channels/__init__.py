"""Channel tests: WeChat (wechat/) and the web widget (webchat/)."""
