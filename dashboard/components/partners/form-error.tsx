/** The hub's refusal, as it answered, under the form that caused it. */
export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
      {error}
    </p>
  );
}
