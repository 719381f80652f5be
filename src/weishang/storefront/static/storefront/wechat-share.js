// Inside WeChat: configures WeChat's JS-SDK with the page's signed wx.config and hands it the
// share card the page's Open Graph tags describe, for chats and for Moments.
(function () {
  "use strict";
  var data = document.getElementById("wechat-js-sdk");
  if (!data || !window.wx) {
    return;
  }
  function meta(property) {
    var tag = document.querySelector('meta[property="' + property + '"]');
    return tag ? tag.getAttribute("content") : "";
  }
  var config = JSON.parse(data.textContent);
  window.wx.config({
    debug: false,
    appId: config.appId,
    timestamp: config.timestamp,
    nonceStr: config.nonceStr,
    signature: config.signature,
    jsApiList: ["updateAppMessageShareData", "updateTimelineShareData"]
  });
  window.wx.ready(function () {
    var card = {
      title: meta("og:title"),
      desc: meta("og:description"),
      link: meta("og:url"),
      imgUrl: meta("og:image")
    };
    window.wx.updateAppMessageShareData(card);
    window.wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl });
  });
})();
