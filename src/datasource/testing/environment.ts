/**
 * jsdom has no layout or canvas: Combobox measures its text and virtualises its option list, so
 * give it a text width and element sizes, as Grafana's own Combobox tests do. Call at the top of a
 * describe block.
 */
export function setupComboboxEnvironment() {
  const originalIntersectionObserver = window.IntersectionObserver;
  // @grafana/ui components are heavy to render in jsdom on a busy machine.
  jest.setTimeout(60_000);
  beforeAll(() => {
    jest
      .spyOn(HTMLCanvasElement.prototype, 'getContext')
      .mockReturnValue({ measureText: () => ({ width: 40 }) } as unknown as CanvasRenderingContext2D);
    jest.spyOn(Element.prototype, 'getBoundingClientRect').mockReturnValue({
      width: 240,
      height: 2000,
      top: 0,
      left: 0,
      bottom: 2000,
      right: 240,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
    // The option list's virtualiser reads the scroll container's client size.
    jest.spyOn(Element.prototype, 'clientHeight', 'get').mockReturnValue(2000);
    jest.spyOn(Element.prototype, 'clientWidth', 'get').mockReturnValue(240);
    // The option list's scroll indicators observe visibility; jsdom has no IntersectionObserver.
    window.IntersectionObserver = class {
      readonly root = null;
      readonly rootMargin = '0px';
      readonly thresholds = [];
      observe() {}
      unobserve() {}
      disconnect() {}
      takeRecords() {
        return [];
      }
    } as unknown as typeof IntersectionObserver;
  });
  afterAll(() => {
    window.IntersectionObserver = originalIntersectionObserver;
    jest.restoreAllMocks();
  });
}
