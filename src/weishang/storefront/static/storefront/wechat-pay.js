// Inside WeChat: opens WeChat Pay's window with the prepay parameters the page carries
// (WeixinJSBridge is WeChat's browser's own). Whatever the window says, the order page is shown
// next: the order is paid when WeChat Pay's notification reaches the brand, not on this page's word.
(function () {
  "use strict";
  var data = document.getElementById("wechat-pay-params");
  var back = document.getElementById("wechat-pay-back");
  if (!data || !back) {
    return;
  }
  var params = JSON.parse(data.textContent);
  function pay() {
    window.WeixinJSBridge.invoke("getBrandWCPayRequest", params, function (result) {
      var done = result && result.err_msg === "get_brand_wcpay_request:ok";
      window.location.href = back.href + (done ? "?wechat_pay=done" : "?wechat_pay=left");
    });
  }
  if (window.WeixinJSBridge) {
    pay();
  } else {
    document.addEventListener("WeixinJSBridgeReady", pay, false);
  }
})();
