/** Announces new live items to screen readers without taking focus. */
export function LiveRegion(props: { message: string; testId?: string }) {
  return (
    <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid={props.testId}>
      {props.message}
    </div>
  );
}
