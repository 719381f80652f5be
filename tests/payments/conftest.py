from tests.wechatpay_stub import wechat_gateway, wechat_keys, wechatpay  # noqa: F401
