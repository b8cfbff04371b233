'use client';
import { Tabs, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { RANGES, type RangeKey } from '@/lib/metric-series';

export function RangePicker({ value, onChange }: { value: RangeKey; onChange: (r: RangeKey) => void }) {
  return (
    <Tabs value={value} onValueChange={(v) => onChange(v as RangeKey)}>
      <TabsList aria-label="Time range">
        {(Object.keys(RANGES) as RangeKey[]).map((k) => (
          <TabsTrigger key={k} value={k} data-testid={`range-${k}`}>
            {RANGES[k].label}
          </TabsTrigger>
        ))}
      </TabsList>
    </Tabs>
  );
}
