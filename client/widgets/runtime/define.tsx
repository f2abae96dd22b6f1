import { customElement } from 'solid-element';
import type { JSX } from 'solid-js';
import { adoptStyles, WIDGET_ATTRIBUTES, type WidgetProps } from './context.ts';
import sharedCss from './widget.css?inline';

/**
 * Defines a widget's custom element, rendered into an open shadow root with the shared styles
 * and its own. A second definition of the same tag (the loader imported twice) keeps the first.
 */
export function defineWidget(
  tag: string,
  css: string,
  render: (props: WidgetProps) => JSX.Element,
): void {
  if (customElements.get(tag)) {
    return;
  }
  customElement<WidgetProps>(tag, WIDGET_ATTRIBUTES, (props, { element }) => {
    const fallbackCss = adoptStyles(element.renderRoot as ShadowRoot, sharedCss, css);
    return (
      <>
        {fallbackCss && <style>{fallbackCss}</style>}
        {render(props)}
      </>
    );
  });
}
