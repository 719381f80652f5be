from django.urls import path

from . import (
    apply,
    complaints,
    coupons,
    ideas,
    inbox,
    members,
    microstore,
    post_feed,
    privacy,
    shares,
    stations,
    views,
    wechat_login,
)

app_name = "storefront"
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("p/<str:slug>/", views.product_detail, name="product_detail"),
    path("p/<str:slug>/share/", shares.share_product, name="share_product"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/wechat/", wechat_login.wechat_login, name="wechat_login"),
    path("login/wechat/done/", wechat_login.wechat_login_done, name="wechat_login_done"),
    path("account/mobile/", wechat_login.prove_mobile, name="prove_mobile"),
    path("account/", views.account, name="account"),
    path("account/inbox/", inbox.inbox, name="inbox"),
    path("account/inbox/<int:message_id>/", inbox.open_message, name="open_message"),
    path("account/divisions/", views.division_children, name="division_children"),
    path("account/coupons/", coupons.my_coupons, name="my_coupons"),
    path("coupons/", coupons.coupon_centre, name="coupon_centre"),
    # The customer's city station
    path("account/station/", stations.choose_station, name="choose_station"),
    path("account/station/leave/", stations.leave_station, name="leave_station"),
    # Membership: tier, points, wallet, the redeem centre
    path("account/membership/", members.membership, name="membership"),
    path("account/points/", members.points_page, name="points"),
    path("account/wallet/", members.wallet_page, name="wallet"),
    path("account/redeem/", members.redeem, name="redeem"),
    path("account/redeem/product/", members.redeem_product, name="redeem_product"),
    path("cart/", views.cart, name="cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/place/", views.place_order, name="place_order"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", views.pay_order, name="pay_order"),
    path("orders/<str:number>/cancel/", views.cancel_order, name="cancel_order"),
    path("orders/<str:number>/return/", views.request_return, name="request_return"),
    path("orders/<str:number>/confirm/", views.confirm_receipt, name="confirm_receipt"),
    path("orders/<str:number>/return/ship/", views.return_shipment, name="return_shipment"),
    path("orders/<str:number>/claim/", views.file_claim, name="file_claim"),
    path("orders/<str:number>/claim/sent/", views.send_claim_goods, name="send_claim_goods"),
    # Micro-stores and their share material; applying to become a distributor
    path("s/<slug:slug>/", microstore.store, name="microstore"),
    path("s/<slug:slug>/posts/", post_feed.post_list, name="microstore_posts"),
    path("s/<slug:slug>/posts/<str:key>/", post_feed.post_detail, name="microstore_post"),
    path("s/<slug:slug>/qr.png", microstore.store_qr_png, name="microstore_qr_png"),
    path("s/<slug:slug>/qr.svg", microstore.store_qr_svg, name="microstore_qr_svg"),
    path("s/<slug:slug>/poster.png", microstore.store_poster, name="microstore_poster"),
    path(
        "s/<slug:slug>/p/<str:product_slug>/qr.png",
        microstore.product_qr_png,
        name="product_share_qr_png",
    ),
    path(
        "s/<slug:slug>/p/<str:product_slug>/poster.png",
        microstore.product_poster,
        name="product_share_poster",
    ),
    path("distributor/apply/", apply.apply, name="distributor_apply"),
    # A customer's own share links (分享有礼)
    path("account/shares/", shares.my_shares, name="my_shares"),
    path("account/shares/p/<str:slug>/", shares.share_page, name="share_page"),
    path("account/shares/p/<str:slug>/qr.png", shares.share_qr, name="share_qr"),
    path("account/shares/p/<str:slug>/poster.png", shares.share_poster, name="share_poster"),
    # The creative group (创意群): the customer's ideas for the brand
    path("account/ideas/", ideas.my_ideas, name="ideas"),
    # Complaints on the customer's own orders
    path("complaints/", complaints.complaint_list, name="complaint_list"),
    path("complaints/new/", complaints.complaint_new, name="complaint_new"),
    path("complaints/<str:number>/", complaints.complaint_detail, name="complaint_detail"),
    path(
        "complaints/<str:number>/photos/<int:photo_id>/",
        complaints.complaint_photo,
        name="complaint_photo",
    ),
    # The customer's personal-data rights (PIPL Art. 44–47)
    path("account/privacy/", privacy.privacy, name="privacy"),
    path("account/privacy/export/", privacy.export_page, name="privacy_export_page"),
    path("account/privacy/export.json", privacy.export_json, name="privacy_export_json"),
]
