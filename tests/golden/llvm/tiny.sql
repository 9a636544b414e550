-- LLVM IR of a few tiny pipelines over the BIGINT-only source `nums` (symbols carry a hash
-- of the pipelines, so any change to the plan shows here too).

-- case: filter and projection of one column
CREATE STREAM s AS SELECT k FROM nums WHERE k > 1;
-- expect:
; ModuleID = "lc_1637aa0d4bf2c452"
target triple = "unknown-unknown-unknown"
target datalayout = ""

define i64 @"lc_1637aa0d4bf2c452_0_run_dense"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 5
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  %"wm.1" = load i64, ptr %"wm"
  %"wm.2" = alloca i64
  store i64 %"wm.1", i64* %"wm.2"
  %"k" = alloca i64
  store i64 0, i64* %"k"
  %"late" = alloca i64
  store i64 0, i64* %"late"
  %"errors" = alloca i64
  store i64 0, i64* %"errors"
  %"row_errors" = alloca i64
  store i64 0, i64* %"row_errors"
  %"reached_window" = alloca i1
  store i1 0, i1* %"reached_window"
  %"open_window" = alloca i1
  store i1 0, i1* %"open_window"
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".15" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".27" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".43" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".43", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".43", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".43", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".43", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".19" = icmp slt i64 %"j", %"n"
  br i1 %".19", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".28" = add i64 %"offset.1", %"j"
  %".29" = getelementptr i64, ptr %"values.3", i64 %".28"
  %".30" = load i64, ptr %".29"
  %".44" = add i64 %"offset.3", %"j"
  %".45" = getelementptr i64, ptr %"values.5", i64 %".44"
  %".46" = load i64, ptr %".45"
  br label %"row.body"
row.body:
  %".31" = icmp sgt i64 %".30", 1
  br i1 %".31", label %"filter.pass", label %"row.end"
row.end:
  %".39" = load i64, i64* %"errors"
  %".40" = load i64, i64* %"row_errors"
  %".41" = add i64 %".39", %".40"
  store i64 %".41", i64* %"errors"
  %".47" = call i64 @"llvm.ssub.sat.i64"(i64 %".46", i64 0)
  %".48" = load i64, i64* %"wm.2"
  %".49" = call i64 @"llvm.smax.i64"(i64 %".48", i64 %".47")
  store i64 %".49", i64* %"wm.2"
  %".51" = add i64 %"j", 1
  store i64 %".51", i64* %"i"
  br label %"head"
done:
  %".54" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".54", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".56" = load i64, i64* %"late"
  %".57" = add i64 %"late_rows.1", %".56"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".57", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".59" = load i64, i64* %"errors"
  %".60" = add i64 %"errors.2", %".59"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".60", ptr %"errors.3"
  %".62" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".62", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".66" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".66", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".68" = load i64, i64* %"late"
  %".69" = add i64 %"late_rows.4", %".68"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".69", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".71" = load i64, i64* %"errors"
  %".72" = add i64 %"errors.5", %".71"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".72", ptr %"errors.6"
  %".74" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".74", ptr %"n.4"
  %".76" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".76", ptr %"resume_k.1"
  %".78" = load i64, i64* %"i"
  ret i64 %".78"
filter.pass:
  %".33" = load i64, i64* %"out_n"
  %".34" = getelementptr i64, ptr %"values.1", i64 %".33"
  store i64 %".30", ptr %".34"
  %".36" = add i64 %".33", 1
  store i64 %".36", i64* %"out_n"
  br label %"row.end"
}

declare i64 @"llvm.ssub.sat.i64"(i64 %".1", i64 %".2")

declare i64 @"llvm.smax.i64"(i64 %".1", i64 %".2")

define i64 @"lc_1637aa0d4bf2c452_0_run_nulls"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 5
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  %"wm.1" = load i64, ptr %"wm"
  %"wm.2" = alloca i64
  store i64 %"wm.1", i64* %"wm.2"
  %"k" = alloca i64
  store i64 0, i64* %"k"
  %"late" = alloca i64
  store i64 0, i64* %"late"
  %"errors" = alloca i64
  store i64 0, i64* %"errors"
  %"row_errors" = alloca i64
  store i64 0, i64* %"row_errors"
  %"reached_window" = alloca i1
  store i1 0, i1* %"reached_window"
  %"open_window" = alloca i1
  store i1 0, i1* %"open_window"
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".15" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".27" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".64" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".64", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".64", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".64", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".64", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".19" = icmp slt i64 %"j", %"n"
  br i1 %".19", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".28" = add i64 %"offset.1", %"j"
  %".29" = lshr i64 %".28", 3
  %".30" = getelementptr i8, ptr %"validity.3", i64 %".29"
  %".31" = load i8, ptr %".30"
  %".32" = and i64 %".28", 7
  %".33" = trunc i64 %".32" to i8
  %".34" = lshr i8 %".31", %".33"
  %".35" = trunc i8 %".34" to i1
  %".36" = xor i1 %".35", -1
  %".37" = getelementptr i64, ptr %"values.3", i64 %".28"
  %".38" = load i64, ptr %".37"
  %".65" = add i64 %"offset.3", %"j"
  %".66" = getelementptr i64, ptr %"values.5", i64 %".65"
  %".67" = load i64, ptr %".66"
  br label %"row.body"
row.body:
  %".39" = icmp sgt i64 %".38", 1
  %".40" = xor i1 %".36", -1
  %".41" = and i1 %".39", %".40"
  br i1 %".41", label %"filter.pass", label %"row.end"
row.end:
  %".60" = load i64, i64* %"errors"
  %".61" = load i64, i64* %"row_errors"
  %".62" = add i64 %".60", %".61"
  store i64 %".62", i64* %"errors"
  %".68" = call i64 @"llvm.ssub.sat.i64"(i64 %".67", i64 0)
  %".69" = load i64, i64* %"wm.2"
  %".70" = call i64 @"llvm.smax.i64"(i64 %".69", i64 %".68")
  store i64 %".70", i64* %"wm.2"
  %".72" = add i64 %"j", 1
  store i64 %".72", i64* %"i"
  br label %"head"
done:
  %".75" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".75", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".77" = load i64, i64* %"late"
  %".78" = add i64 %"late_rows.1", %".77"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".78", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".80" = load i64, i64* %"errors"
  %".81" = add i64 %"errors.2", %".80"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".81", ptr %"errors.3"
  %".83" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".83", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".87" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".87", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".89" = load i64, i64* %"late"
  %".90" = add i64 %"late_rows.4", %".89"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".90", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".92" = load i64, i64* %"errors"
  %".93" = add i64 %"errors.5", %".92"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".93", ptr %"errors.6"
  %".95" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".95", ptr %"n.4"
  %".97" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".97", ptr %"resume_k.1"
  %".99" = load i64, i64* %"i"
  ret i64 %".99"
filter.pass:
  %".43" = load i64, i64* %"out_n"
  br i1 %".36", label %"filter.pass.if", label %"filter.pass.endif"
filter.pass.if:
  %".45" = lshr i64 %".43", 3
  %".46" = getelementptr i8, ptr %"validity.1", i64 %".45"
  %".47" = and i64 %".43", 7
  %".48" = trunc i64 %".47" to i8
  %".49" = shl i8 1, %".48"
  %".50" = load i8, ptr %".46"
  %".51" = xor i8 %".49", -1
  %".52" = and i8 %".50", %".51"
  store i8 %".52", ptr %".46"
  br label %"filter.pass.endif"
filter.pass.endif:
  %".55" = getelementptr i64, ptr %"values.1", i64 %".43"
  store i64 %".38", ptr %".55"
  %".57" = add i64 %".43", 1
  store i64 %".57", i64* %"out_n"
  br label %"row.end"
}

define i64 @"lc_1637aa0d4bf2c452_0_run_free_dense"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 5
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  %"wm.1" = load i64, ptr %"wm"
  %"wm.2" = alloca i64
  store i64 %"wm.1", i64* %"wm.2"
  %"k" = alloca i64
  store i64 0, i64* %"k"
  %"late" = alloca i64
  store i64 0, i64* %"late"
  %"errors" = alloca i64
  store i64 0, i64* %"errors"
  %"row_errors" = alloca i64
  store i64 0, i64* %"row_errors"
  %"reached_window" = alloca i1
  store i1 0, i1* %"reached_window"
  %"open_window" = alloca i1
  store i1 0, i1* %"open_window"
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".15" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".27" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".43" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".43", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".43", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".43", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".43", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".19" = icmp slt i64 %"j", %"n"
  br i1 %".19", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".28" = add i64 %"offset.1", %"j"
  %".29" = getelementptr i64, ptr %"values.3", i64 %".28"
  %".30" = load i64, ptr %".29"
  %".44" = add i64 %"offset.3", %"j"
  %".45" = getelementptr i64, ptr %"values.5", i64 %".44"
  %".46" = load i64, ptr %".45"
  br label %"row.body"
row.body:
  %".31" = icmp sgt i64 %".30", 1
  %".32" = load i64, i64* %"out_n"
  %".33" = getelementptr i64, ptr %"values.1", i64 %".32"
  store i64 %".30", ptr %".33"
  %".35" = zext i1 %".31" to i64
  %".36" = add i64 %".32", %".35"
  store i64 %".36", i64* %"out_n"
  br label %"row.end"
row.end:
  %".39" = load i64, i64* %"errors"
  %".40" = load i64, i64* %"row_errors"
  %".41" = add i64 %".39", %".40"
  store i64 %".41", i64* %"errors"
  %".47" = call i64 @"llvm.ssub.sat.i64"(i64 %".46", i64 0)
  %".48" = load i64, i64* %"wm.2"
  %".49" = call i64 @"llvm.smax.i64"(i64 %".48", i64 %".47")
  store i64 %".49", i64* %"wm.2"
  %".51" = add i64 %"j", 1
  store i64 %".51", i64* %"i"
  br label %"head"
done:
  %".54" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".54", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".56" = load i64, i64* %"late"
  %".57" = add i64 %"late_rows.1", %".56"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".57", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".59" = load i64, i64* %"errors"
  %".60" = add i64 %"errors.2", %".59"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".60", ptr %"errors.3"
  %".62" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".62", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".66" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".66", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".68" = load i64, i64* %"late"
  %".69" = add i64 %"late_rows.4", %".68"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".69", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".71" = load i64, i64* %"errors"
  %".72" = add i64 %"errors.5", %".71"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".72", ptr %"errors.6"
  %".74" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".74", ptr %"n.4"
  %".76" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".76", ptr %"resume_k.1"
  %".78" = load i64, i64* %"i"
  ret i64 %".78"
}

define i64 @"lc_1637aa0d4bf2c452_0_run_free_nulls"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 5
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  %"wm.1" = load i64, ptr %"wm"
  %"wm.2" = alloca i64
  store i64 %"wm.1", i64* %"wm.2"
  %"k" = alloca i64
  store i64 0, i64* %"k"
  %"late" = alloca i64
  store i64 0, i64* %"late"
  %"errors" = alloca i64
  store i64 0, i64* %"errors"
  %"row_errors" = alloca i64
  store i64 0, i64* %"row_errors"
  %"reached_window" = alloca i1
  store i1 0, i1* %"reached_window"
  %"open_window" = alloca i1
  store i1 0, i1* %"open_window"
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".15" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".27" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".65" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".65", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".65", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".65", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".65", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".19" = icmp slt i64 %"j", %"n"
  br i1 %".19", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".28" = add i64 %"offset.1", %"j"
  %".29" = lshr i64 %".28", 3
  %".30" = getelementptr i8, ptr %"validity.3", i64 %".29"
  %".31" = load i8, ptr %".30"
  %".32" = and i64 %".28", 7
  %".33" = trunc i64 %".32" to i8
  %".34" = lshr i8 %".31", %".33"
  %".35" = trunc i8 %".34" to i1
  %".36" = xor i1 %".35", -1
  %".37" = getelementptr i64, ptr %"values.3", i64 %".28"
  %".38" = load i64, ptr %".37"
  %".66" = add i64 %"offset.3", %"j"
  %".67" = getelementptr i64, ptr %"values.5", i64 %".66"
  %".68" = load i64, ptr %".67"
  br label %"row.body"
row.body:
  %".39" = icmp sgt i64 %".38", 1
  %".40" = xor i1 %".36", -1
  %".41" = and i1 %".39", %".40"
  %".42" = load i64, i64* %"out_n"
  %".43" = and i1 %".36", %".41"
  br i1 %".43", label %"row.body.if", label %"row.body.endif"
row.end:
  %".61" = load i64, i64* %"errors"
  %".62" = load i64, i64* %"row_errors"
  %".63" = add i64 %".61", %".62"
  store i64 %".63", i64* %"errors"
  %".69" = call i64 @"llvm.ssub.sat.i64"(i64 %".68", i64 0)
  %".70" = load i64, i64* %"wm.2"
  %".71" = call i64 @"llvm.smax.i64"(i64 %".70", i64 %".69")
  store i64 %".71", i64* %"wm.2"
  %".73" = add i64 %"j", 1
  store i64 %".73", i64* %"i"
  br label %"head"
done:
  %".76" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".76", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".78" = load i64, i64* %"late"
  %".79" = add i64 %"late_rows.1", %".78"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".79", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".81" = load i64, i64* %"errors"
  %".82" = add i64 %"errors.2", %".81"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".82", ptr %"errors.3"
  %".84" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".84", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".88" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".88", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".90" = load i64, i64* %"late"
  %".91" = add i64 %"late_rows.4", %".90"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".91", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".93" = load i64, i64* %"errors"
  %".94" = add i64 %"errors.5", %".93"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".94", ptr %"errors.6"
  %".96" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".96", ptr %"n.4"
  %".98" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".98", ptr %"resume_k.1"
  %".100" = load i64, i64* %"i"
  ret i64 %".100"
row.body.if:
  %".45" = lshr i64 %".42", 3
  %".46" = getelementptr i8, ptr %"validity.1", i64 %".45"
  %".47" = and i64 %".42", 7
  %".48" = trunc i64 %".47" to i8
  %".49" = shl i8 1, %".48"
  %".50" = load i8, ptr %".46"
  %".51" = xor i8 %".49", -1
  %".52" = and i8 %".50", %".51"
  store i8 %".52", ptr %".46"
  br label %"row.body.endif"
row.body.endif:
  %".55" = getelementptr i64, ptr %"values.1", i64 %".42"
  store i64 %".38", ptr %".55"
  %".57" = zext i1 %".41" to i64
  %".58" = add i64 %".42", %".57"
  store i64 %".58", i64* %"out_n"
  br label %"row.end"
}

-- case: arithmetic on two columns
CREATE STREAM s AS SELECT k * 2 + ts AS x FROM nums;
-- expect:
; ModuleID = "lc_d9097e8b6ecaefe0"
target triple = "unknown-unknown-unknown"
target datalayout = ""

define i64 @"lc_d9097e8b6ecaefe0_0_run_dense"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 5
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  %"wm.1" = load i64, ptr %"wm"
  %"wm.2" = alloca i64
  store i64 %"wm.1", i64* %"wm.2"
  %"k" = alloca i64
  store i64 0, i64* %"k"
  %"late" = alloca i64
  store i64 0, i64* %"late"
  %"errors" = alloca i64
  store i64 0, i64* %"errors"
  %"row_errors" = alloca i64
  store i64 0, i64* %"row_errors"
  %"reached_window" = alloca i1
  store i1 0, i1* %"reached_window"
  %"open_window" = alloca i1
  store i1 0, i1* %"open_window"
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".15" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".27" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".38" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".38", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".38", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".38", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".38", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".19" = icmp slt i64 %"j", %"n"
  br i1 %".19", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".28" = add i64 %"offset.1", %"j"
  %".29" = getelementptr i64, ptr %"values.3", i64 %".28"
  %".30" = load i64, ptr %".29"
  %".39" = add i64 %"offset.3", %"j"
  %".40" = getelementptr i64, ptr %"values.5", i64 %".39"
  %".41" = load i64, ptr %".40"
  br label %"row.body"
row.body:
  %".31" = call {i64, i1} @"llvm.smul.with.overflow.i64"(i64 %".30", i64 2)
  %".32" = extractvalue {i64, i1} %".31", 0
  %".33" = extractvalue {i64, i1} %".31", 1
  %".34" = zext i1 %".33" to i64
  %".35" = load i64, i64* %"row_errors"
  %".36" = add i64 %".35", %".34"
  store i64 %".36", i64* %"row_errors"
  %".42" = xor i1 %".33", -1
  %".43" = call {i64, i1} @"llvm.sadd.with.overflow.i64"(i64 %".32", i64 %".41")
  %".44" = extractvalue {i64, i1} %".43", 0
  %".45" = extractvalue {i64, i1} %".43", 1
  %".46" = and i1 %".45", %".42"
  %".47" = zext i1 %".46" to i64
  %".48" = load i64, i64* %"row_errors"
  %".49" = add i64 %".48", %".47"
  store i64 %".49", i64* %"row_errors"
  %".51" = or i1 %".33", %".45"
  %".52" = load i64, i64* %"out_n"
  br i1 %".51", label %"row.body.if", label %"row.body.endif"
row.end:
  %".69" = load i64, i64* %"errors"
  %".70" = load i64, i64* %"row_errors"
  %".71" = add i64 %".69", %".70"
  store i64 %".71", i64* %"errors"
  %".73" = call i64 @"llvm.ssub.sat.i64"(i64 %".41", i64 0)
  %".74" = load i64, i64* %"wm.2"
  %".75" = call i64 @"llvm.smax.i64"(i64 %".74", i64 %".73")
  store i64 %".75", i64* %"wm.2"
  %".77" = add i64 %"j", 1
  store i64 %".77", i64* %"i"
  br label %"head"
done:
  %".80" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".80", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".82" = load i64, i64* %"late"
  %".83" = add i64 %"late_rows.1", %".82"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".83", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".85" = load i64, i64* %"errors"
  %".86" = add i64 %"errors.2", %".85"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".86", ptr %"errors.3"
  %".88" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".88", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".92" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".92", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".94" = load i64, i64* %"late"
  %".95" = add i64 %"late_rows.4", %".94"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".95", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".97" = load i64, i64* %"errors"
  %".98" = add i64 %"errors.5", %".97"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".98", ptr %"errors.6"
  %".100" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".100", ptr %"n.4"
  %".102" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".102", ptr %"resume_k.1"
  %".104" = load i64, i64* %"i"
  ret i64 %".104"
row.body.if:
  %".54" = lshr i64 %".52", 3
  %".55" = getelementptr i8, ptr %"validity.1", i64 %".54"
  %".56" = and i64 %".52", 7
  %".57" = trunc i64 %".56" to i8
  %".58" = shl i8 1, %".57"
  %".59" = load i8, ptr %".55"
  %".60" = xor i8 %".58", -1
  %".61" = and i8 %".59", %".60"
  store i8 %".61", ptr %".55"
  br label %"row.body.endif"
row.body.endif:
  %".64" = getelementptr i64, ptr %"values.1", i64 %".52"
  store i64 %".44", ptr %".64"
  %".66" = add i64 %".52", 1
  store i64 %".66", i64* %"out_n"
  br label %"row.end"
}

declare {i64, i1} @"llvm.smul.with.overflow.i64"(i64 %".1", i64 %".2")

declare {i64, i1} @"llvm.sadd.with.overflow.i64"(i64 %".1", i64 %".2")

declare i64 @"llvm.ssub.sat.i64"(i64 %".1", i64 %".2")

declare i64 @"llvm.smax.i64"(i64 %".1", i64 %".2")

define i64 @"lc_d9097e8b6ecaefe0_0_run_nulls"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 5
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  %"wm.1" = load i64, ptr %"wm"
  %"wm.2" = alloca i64
  store i64 %"wm.1", i64* %"wm.2"
  %"k" = alloca i64
  store i64 0, i64* %"k"
  %"late" = alloca i64
  store i64 0, i64* %"late"
  %"errors" = alloca i64
  store i64 0, i64* %"errors"
  %"row_errors" = alloca i64
  store i64 0, i64* %"row_errors"
  %"reached_window" = alloca i1
  store i1 0, i1* %"reached_window"
  %"open_window" = alloca i1
  store i1 0, i1* %"open_window"
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".15" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".15", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".27" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".27", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".49" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".49", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".49", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".49", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".49", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".19" = icmp slt i64 %"j", %"n"
  br i1 %".19", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".28" = add i64 %"offset.1", %"j"
  %".29" = lshr i64 %".28", 3
  %".30" = getelementptr i8, ptr %"validity.3", i64 %".29"
  %".31" = load i8, ptr %".30"
  %".32" = and i64 %".28", 7
  %".33" = trunc i64 %".32" to i8
  %".34" = lshr i8 %".31", %".33"
  %".35" = trunc i8 %".34" to i1
  %".36" = xor i1 %".35", -1
  %".37" = getelementptr i64, ptr %"values.3", i64 %".28"
  %".38" = load i64, ptr %".37"
  %".50" = add i64 %"offset.3", %"j"
  %".51" = getelementptr i64, ptr %"values.5", i64 %".50"
  %".52" = load i64, ptr %".51"
  br label %"row.body"
row.body:
  %".39" = xor i1 %".36", -1
  %".40" = call {i64, i1} @"llvm.smul.with.overflow.i64"(i64 %".38", i64 2)
  %".41" = extractvalue {i64, i1} %".40", 0
  %".42" = extractvalue {i64, i1} %".40", 1
  %".43" = and i1 %".42", %".39"
  %".44" = zext i1 %".43" to i64
  %".45" = load i64, i64* %"row_errors"
  %".46" = add i64 %".45", %".44"
  store i64 %".46", i64* %"row_errors"
  %".48" = or i1 %".36", %".42"
  %".53" = xor i1 %".48", -1
  %".54" = call {i64, i1} @"llvm.sadd.with.overflow.i64"(i64 %".41", i64 %".52")
  %".55" = extractvalue {i64, i1} %".54", 0
  %".56" = extractvalue {i64, i1} %".54", 1
  %".57" = and i1 %".56", %".53"
  %".58" = zext i1 %".57" to i64
  %".59" = load i64, i64* %"row_errors"
  %".60" = add i64 %".59", %".58"
  store i64 %".60", i64* %"row_errors"
  %".62" = or i1 %".48", %".56"
  %".63" = load i64, i64* %"out_n"
  br i1 %".62", label %"row.body.if", label %"row.body.endif"
row.end:
  %".80" = load i64, i64* %"errors"
  %".81" = load i64, i64* %"row_errors"
  %".82" = add i64 %".80", %".81"
  store i64 %".82", i64* %"errors"
  %".84" = call i64 @"llvm.ssub.sat.i64"(i64 %".52", i64 0)
  %".85" = load i64, i64* %"wm.2"
  %".86" = call i64 @"llvm.smax.i64"(i64 %".85", i64 %".84")
  store i64 %".86", i64* %"wm.2"
  %".88" = add i64 %"j", 1
  store i64 %".88", i64* %"i"
  br label %"head"
done:
  %".91" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".91", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".93" = load i64, i64* %"late"
  %".94" = add i64 %"late_rows.1", %".93"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".94", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".96" = load i64, i64* %"errors"
  %".97" = add i64 %"errors.2", %".96"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".97", ptr %"errors.3"
  %".99" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".99", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".103" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64, ptr, ptr, ptr, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".103", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".105" = load i64, i64* %"late"
  %".106" = add i64 %"late_rows.4", %".105"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".106", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".108" = load i64, i64* %"errors"
  %".109" = add i64 %"errors.5", %".108"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".109", ptr %"errors.6"
  %".111" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".111", ptr %"n.4"
  %".113" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".113", ptr %"resume_k.1"
  %".115" = load i64, i64* %"i"
  ret i64 %".115"
row.body.if:
  %".65" = lshr i64 %".63", 3
  %".66" = getelementptr i8, ptr %"validity.1", i64 %".65"
  %".67" = and i64 %".63", 7
  %".68" = trunc i64 %".67" to i8
  %".69" = shl i8 1, %".68"
  %".70" = load i8, ptr %".66"
  %".71" = xor i8 %".69", -1
  %".72" = and i8 %".70", %".71"
  store i8 %".72", ptr %".66"
  br label %"row.body.endif"
row.body.endif:
  %".75" = getelementptr i64, ptr %"values.1", i64 %".63"
  store i64 %".55", ptr %".75"
  %".77" = add i64 %".63", 1
  store i64 %".77", i64* %"out_n"
  br label %"row.end"
}
