// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// React 19's react-dom/server (loaded by @grafana/ui's TruncatedText) creates a MessageChannel when it is
// imported, and jsdom has none. Node's own MessageChannel would keep the test worker alive, so use a
// minimal one that delivers messages on a timer, which is all React's scheduler needs.
if (typeof global.MessageChannel === 'undefined') {
  class TimerMessagePort {
    constructor() {
      this.onmessage = null;
      this.otherPort = null;
    }
    postMessage(data) {
      const target = this.otherPort;
      setTimeout(() => target && target.onmessage && target.onmessage({ data }), 0);
    }
    start() {}
    close() {
      this.onmessage = null;
    }
  }

  class TimerMessageChannel {
    constructor() {
      this.port1 = new TimerMessagePort();
      this.port2 = new TimerMessagePort();
      this.port1.otherPort = this.port2;
      this.port2.otherPort = this.port1;
    }
  }

  global.MessageChannel = TimerMessageChannel;
}
