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
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 5
  %"err_code" = alloca i64
  store i64 0, i64* %"err_code"
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 9
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
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
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".16" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".28" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".44" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".44", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".44", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".44", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".44", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".20" = icmp slt i64 %"j", %"n"
  br i1 %".20", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".29" = add i64 %"offset.1", %"j"
  %".30" = getelementptr i64, ptr %"values.3", i64 %".29"
  %".31" = load i64, ptr %".30"
  %".45" = add i64 %"offset.3", %"j"
  %".46" = getelementptr i64, ptr %"values.5", i64 %".45"
  %".47" = load i64, ptr %".46"
  br label %"row.body"
row.body:
  %".32" = icmp sgt i64 %".31", 1
  br i1 %".32", label %"filter.pass", label %"row.end"
row.end:
  %".40" = load i64, i64* %"errors"
  %".41" = load i64, i64* %"row_errors"
  %".42" = add i64 %".40", %".41"
  store i64 %".42", i64* %"errors"
  %".48" = call i64 @"llvm.ssub.sat.i64"(i64 %".47", i64 0)
  %".49" = load i64, i64* %"wm.2"
  %".50" = call i64 @"llvm.smax.i64"(i64 %".49", i64 %".48")
  store i64 %".50", i64* %"wm.2"
  %".52" = add i64 %"j", 1
  store i64 %".52", i64* %"i"
  br label %"head"
done:
  %".55" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".55", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".57" = load i64, i64* %"late"
  %".58" = add i64 %"late_rows.1", %".57"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".58", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".60" = load i64, i64* %"errors"
  %".61" = add i64 %"errors.2", %".60"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".61", ptr %"errors.3"
  %"first_error" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.1" = load i64, ptr %"first_error"
  %".63" = load i64, i64* %"err_code"
  %".64" = icmp eq i64 %"first_error.1", 0
  %".65" = select  i1 %".64", i64 %".63", i64 %"first_error.1"
  %"first_error.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".65", ptr %"first_error.2"
  %".67" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".67", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".71" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".71", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".73" = load i64, i64* %"late"
  %".74" = add i64 %"late_rows.4", %".73"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".74", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".76" = load i64, i64* %"errors"
  %".77" = add i64 %"errors.5", %".76"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".77", ptr %"errors.6"
  %"first_error.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.4" = load i64, ptr %"first_error.3"
  %".79" = load i64, i64* %"err_code"
  %".80" = icmp eq i64 %"first_error.4", 0
  %".81" = select  i1 %".80", i64 %".79", i64 %"first_error.4"
  %"first_error.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".81", ptr %"first_error.5"
  %".83" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".83", ptr %"n.4"
  %".85" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".85", ptr %"resume_k.1"
  %".87" = load i64, i64* %"i"
  ret i64 %".87"
filter.pass:
  %".34" = load i64, i64* %"out_n"
  %".35" = getelementptr i64, ptr %"values.1", i64 %".34"
  store i64 %".31", ptr %".35"
  %".37" = add i64 %".34", 1
  store i64 %".37", i64* %"out_n"
  br label %"row.end"
}

declare i64 @"llvm.ssub.sat.i64"(i64 %".1", i64 %".2")

declare i64 @"llvm.smax.i64"(i64 %".1", i64 %".2")

define i64 @"lc_1637aa0d4bf2c452_0_run_nulls"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 5
  %"err_code" = alloca i64
  store i64 0, i64* %"err_code"
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 9
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
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
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".16" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".28" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 3
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
  %".20" = icmp slt i64 %"j", %"n"
  br i1 %".20", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".29" = add i64 %"offset.1", %"j"
  %".30" = lshr i64 %".29", 3
  %".31" = getelementptr i8, ptr %"validity.3", i64 %".30"
  %".32" = load i8, ptr %".31"
  %".33" = and i64 %".29", 7
  %".34" = trunc i64 %".33" to i8
  %".35" = lshr i8 %".32", %".34"
  %".36" = trunc i8 %".35" to i1
  %".37" = xor i1 %".36", -1
  %".38" = getelementptr i64, ptr %"values.3", i64 %".29"
  %".39" = load i64, ptr %".38"
  %".66" = add i64 %"offset.3", %"j"
  %".67" = getelementptr i64, ptr %"values.5", i64 %".66"
  %".68" = load i64, ptr %".67"
  br label %"row.body"
row.body:
  %".40" = icmp sgt i64 %".39", 1
  %".41" = xor i1 %".37", -1
  %".42" = and i1 %".40", %".41"
  br i1 %".42", label %"filter.pass", label %"row.end"
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
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".76", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".78" = load i64, i64* %"late"
  %".79" = add i64 %"late_rows.1", %".78"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".79", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".81" = load i64, i64* %"errors"
  %".82" = add i64 %"errors.2", %".81"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".82", ptr %"errors.3"
  %"first_error" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.1" = load i64, ptr %"first_error"
  %".84" = load i64, i64* %"err_code"
  %".85" = icmp eq i64 %"first_error.1", 0
  %".86" = select  i1 %".85", i64 %".84", i64 %"first_error.1"
  %"first_error.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".86", ptr %"first_error.2"
  %".88" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".88", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".92" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".92", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".94" = load i64, i64* %"late"
  %".95" = add i64 %"late_rows.4", %".94"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".95", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".97" = load i64, i64* %"errors"
  %".98" = add i64 %"errors.5", %".97"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".98", ptr %"errors.6"
  %"first_error.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.4" = load i64, ptr %"first_error.3"
  %".100" = load i64, i64* %"err_code"
  %".101" = icmp eq i64 %"first_error.4", 0
  %".102" = select  i1 %".101", i64 %".100", i64 %"first_error.4"
  %"first_error.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".102", ptr %"first_error.5"
  %".104" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".104", ptr %"n.4"
  %".106" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".106", ptr %"resume_k.1"
  %".108" = load i64, i64* %"i"
  ret i64 %".108"
filter.pass:
  %".44" = load i64, i64* %"out_n"
  br i1 %".37", label %"filter.pass.if", label %"filter.pass.endif"
filter.pass.if:
  %".46" = lshr i64 %".44", 3
  %".47" = getelementptr i8, ptr %"validity.1", i64 %".46"
  %".48" = and i64 %".44", 7
  %".49" = trunc i64 %".48" to i8
  %".50" = shl i8 1, %".49"
  %".51" = load i8, ptr %".47"
  %".52" = xor i8 %".50", -1
  %".53" = and i8 %".51", %".52"
  store i8 %".53", ptr %".47"
  br label %"filter.pass.endif"
filter.pass.endif:
  %".56" = getelementptr i64, ptr %"values.1", i64 %".44"
  store i64 %".39", ptr %".56"
  %".58" = add i64 %".44", 1
  store i64 %".58", i64* %"out_n"
  br label %"row.end"
}

define i64 @"lc_1637aa0d4bf2c452_0_run_free_dense"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 5
  %"err_code" = alloca i64
  store i64 0, i64* %"err_code"
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 9
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
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
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".16" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".28" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".44" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".44", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".44", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".44", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".44", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".20" = icmp slt i64 %"j", %"n"
  br i1 %".20", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".29" = add i64 %"offset.1", %"j"
  %".30" = getelementptr i64, ptr %"values.3", i64 %".29"
  %".31" = load i64, ptr %".30"
  %".45" = add i64 %"offset.3", %"j"
  %".46" = getelementptr i64, ptr %"values.5", i64 %".45"
  %".47" = load i64, ptr %".46"
  br label %"row.body"
row.body:
  %".32" = icmp sgt i64 %".31", 1
  %".33" = load i64, i64* %"out_n"
  %".34" = getelementptr i64, ptr %"values.1", i64 %".33"
  store i64 %".31", ptr %".34"
  %".36" = zext i1 %".32" to i64
  %".37" = add i64 %".33", %".36"
  store i64 %".37", i64* %"out_n"
  br label %"row.end"
row.end:
  %".40" = load i64, i64* %"errors"
  %".41" = load i64, i64* %"row_errors"
  %".42" = add i64 %".40", %".41"
  store i64 %".42", i64* %"errors"
  %".48" = call i64 @"llvm.ssub.sat.i64"(i64 %".47", i64 0)
  %".49" = load i64, i64* %"wm.2"
  %".50" = call i64 @"llvm.smax.i64"(i64 %".49", i64 %".48")
  store i64 %".50", i64* %"wm.2"
  %".52" = add i64 %"j", 1
  store i64 %".52", i64* %"i"
  br label %"head"
done:
  %".55" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".55", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".57" = load i64, i64* %"late"
  %".58" = add i64 %"late_rows.1", %".57"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".58", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".60" = load i64, i64* %"errors"
  %".61" = add i64 %"errors.2", %".60"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".61", ptr %"errors.3"
  %"first_error" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.1" = load i64, ptr %"first_error"
  %".63" = load i64, i64* %"err_code"
  %".64" = icmp eq i64 %"first_error.1", 0
  %".65" = select  i1 %".64", i64 %".63", i64 %"first_error.1"
  %"first_error.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".65", ptr %"first_error.2"
  %".67" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".67", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".71" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".71", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".73" = load i64, i64* %"late"
  %".74" = add i64 %"late_rows.4", %".73"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".74", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".76" = load i64, i64* %"errors"
  %".77" = add i64 %"errors.5", %".76"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".77", ptr %"errors.6"
  %"first_error.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.4" = load i64, ptr %"first_error.3"
  %".79" = load i64, i64* %"err_code"
  %".80" = icmp eq i64 %"first_error.4", 0
  %".81" = select  i1 %".80", i64 %".79", i64 %"first_error.4"
  %"first_error.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".81", ptr %"first_error.5"
  %".83" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".83", ptr %"n.4"
  %".85" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".85", ptr %"resume_k.1"
  %".87" = load i64, i64* %"i"
  ret i64 %".87"
}

define i64 @"lc_1637aa0d4bf2c452_0_run_free_nulls"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 5
  %"err_code" = alloca i64
  store i64 0, i64* %"err_code"
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 9
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
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
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".16" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".28" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".66" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".66", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".66", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".66", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".66", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".20" = icmp slt i64 %"j", %"n"
  br i1 %".20", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".29" = add i64 %"offset.1", %"j"
  %".30" = lshr i64 %".29", 3
  %".31" = getelementptr i8, ptr %"validity.3", i64 %".30"
  %".32" = load i8, ptr %".31"
  %".33" = and i64 %".29", 7
  %".34" = trunc i64 %".33" to i8
  %".35" = lshr i8 %".32", %".34"
  %".36" = trunc i8 %".35" to i1
  %".37" = xor i1 %".36", -1
  %".38" = getelementptr i64, ptr %"values.3", i64 %".29"
  %".39" = load i64, ptr %".38"
  %".67" = add i64 %"offset.3", %"j"
  %".68" = getelementptr i64, ptr %"values.5", i64 %".67"
  %".69" = load i64, ptr %".68"
  br label %"row.body"
row.body:
  %".40" = icmp sgt i64 %".39", 1
  %".41" = xor i1 %".37", -1
  %".42" = and i1 %".40", %".41"
  %".43" = load i64, i64* %"out_n"
  %".44" = and i1 %".37", %".42"
  br i1 %".44", label %"row.body.if", label %"row.body.endif"
row.end:
  %".62" = load i64, i64* %"errors"
  %".63" = load i64, i64* %"row_errors"
  %".64" = add i64 %".62", %".63"
  store i64 %".64", i64* %"errors"
  %".70" = call i64 @"llvm.ssub.sat.i64"(i64 %".69", i64 0)
  %".71" = load i64, i64* %"wm.2"
  %".72" = call i64 @"llvm.smax.i64"(i64 %".71", i64 %".70")
  store i64 %".72", i64* %"wm.2"
  %".74" = add i64 %"j", 1
  store i64 %".74", i64* %"i"
  br label %"head"
done:
  %".77" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".77", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".79" = load i64, i64* %"late"
  %".80" = add i64 %"late_rows.1", %".79"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".80", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".82" = load i64, i64* %"errors"
  %".83" = add i64 %"errors.2", %".82"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".83", ptr %"errors.3"
  %"first_error" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.1" = load i64, ptr %"first_error"
  %".85" = load i64, i64* %"err_code"
  %".86" = icmp eq i64 %"first_error.1", 0
  %".87" = select  i1 %".86", i64 %".85", i64 %"first_error.1"
  %"first_error.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".87", ptr %"first_error.2"
  %".89" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".89", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".93" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".93", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".95" = load i64, i64* %"late"
  %".96" = add i64 %"late_rows.4", %".95"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".96", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".98" = load i64, i64* %"errors"
  %".99" = add i64 %"errors.5", %".98"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".99", ptr %"errors.6"
  %"first_error.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.4" = load i64, ptr %"first_error.3"
  %".101" = load i64, i64* %"err_code"
  %".102" = icmp eq i64 %"first_error.4", 0
  %".103" = select  i1 %".102", i64 %".101", i64 %"first_error.4"
  %"first_error.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".103", ptr %"first_error.5"
  %".105" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".105", ptr %"n.4"
  %".107" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".107", ptr %"resume_k.1"
  %".109" = load i64, i64* %"i"
  ret i64 %".109"
row.body.if:
  %".46" = lshr i64 %".43", 3
  %".47" = getelementptr i8, ptr %"validity.1", i64 %".46"
  %".48" = and i64 %".43", 7
  %".49" = trunc i64 %".48" to i8
  %".50" = shl i8 1, %".49"
  %".51" = load i8, ptr %".47"
  %".52" = xor i8 %".50", -1
  %".53" = and i8 %".51", %".52"
  store i8 %".53", ptr %".47"
  br label %"row.body.endif"
row.body.endif:
  %".56" = getelementptr i64, ptr %"values.1", i64 %".43"
  store i64 %".39", ptr %".56"
  %".58" = zext i1 %".42" to i64
  %".59" = add i64 %".43", %".58"
  store i64 %".59", i64* %"out_n"
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
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 5
  %"err_code" = alloca i64
  store i64 0, i64* %"err_code"
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 9
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
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
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".16" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".28" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".42" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".42", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".42", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".42", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".42", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".20" = icmp slt i64 %"j", %"n"
  br i1 %".20", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".29" = add i64 %"offset.1", %"j"
  %".30" = getelementptr i64, ptr %"values.3", i64 %".29"
  %".31" = load i64, ptr %".30"
  %".43" = add i64 %"offset.3", %"j"
  %".44" = getelementptr i64, ptr %"values.5", i64 %".43"
  %".45" = load i64, ptr %".44"
  br label %"row.body"
row.body:
  %".32" = call {i64, i1} @"llvm.smul.with.overflow.i64"(i64 %".31", i64 2)
  %".33" = extractvalue {i64, i1} %".32", 0
  %".34" = extractvalue {i64, i1} %".32", 1
  %".35" = zext i1 %".34" to i64
  %".36" = load i64, i64* %"row_errors"
  %".37" = add i64 %".36", %".35"
  store i64 %".37", i64* %"row_errors"
  %".39" = load i64, i64* %"err_code"
  %".40" = select  i1 %".34", i64 2, i64 %".39"
  store i64 %".40", i64* %"err_code"
  %".46" = xor i1 %".34", -1
  %".47" = call {i64, i1} @"llvm.sadd.with.overflow.i64"(i64 %".33", i64 %".45")
  %".48" = extractvalue {i64, i1} %".47", 0
  %".49" = extractvalue {i64, i1} %".47", 1
  %".50" = and i1 %".49", %".46"
  %".51" = zext i1 %".50" to i64
  %".52" = load i64, i64* %"row_errors"
  %".53" = add i64 %".52", %".51"
  store i64 %".53", i64* %"row_errors"
  %".55" = load i64, i64* %"err_code"
  %".56" = select  i1 %".50", i64 2, i64 %".55"
  store i64 %".56", i64* %"err_code"
  %".58" = or i1 %".34", %".49"
  %".59" = load i64, i64* %"out_n"
  br i1 %".58", label %"row.body.if", label %"row.body.endif"
row.end:
  %".76" = load i64, i64* %"errors"
  %".77" = load i64, i64* %"row_errors"
  %".78" = add i64 %".76", %".77"
  store i64 %".78", i64* %"errors"
  %".80" = call i64 @"llvm.ssub.sat.i64"(i64 %".45", i64 0)
  %".81" = load i64, i64* %"wm.2"
  %".82" = call i64 @"llvm.smax.i64"(i64 %".81", i64 %".80")
  store i64 %".82", i64* %"wm.2"
  %".84" = add i64 %"j", 1
  store i64 %".84", i64* %"i"
  br label %"head"
done:
  %".87" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".87", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".89" = load i64, i64* %"late"
  %".90" = add i64 %"late_rows.1", %".89"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".90", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".92" = load i64, i64* %"errors"
  %".93" = add i64 %"errors.2", %".92"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".93", ptr %"errors.3"
  %"first_error" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.1" = load i64, ptr %"first_error"
  %".95" = load i64, i64* %"err_code"
  %".96" = icmp eq i64 %"first_error.1", 0
  %".97" = select  i1 %".96", i64 %".95", i64 %"first_error.1"
  %"first_error.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".97", ptr %"first_error.2"
  %".99" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".99", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".103" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".103", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".105" = load i64, i64* %"late"
  %".106" = add i64 %"late_rows.4", %".105"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".106", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".108" = load i64, i64* %"errors"
  %".109" = add i64 %"errors.5", %".108"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".109", ptr %"errors.6"
  %"first_error.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.4" = load i64, ptr %"first_error.3"
  %".111" = load i64, i64* %"err_code"
  %".112" = icmp eq i64 %"first_error.4", 0
  %".113" = select  i1 %".112", i64 %".111", i64 %"first_error.4"
  %"first_error.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".113", ptr %"first_error.5"
  %".115" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".115", ptr %"n.4"
  %".117" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".117", ptr %"resume_k.1"
  %".119" = load i64, i64* %"i"
  ret i64 %".119"
row.body.if:
  %".61" = lshr i64 %".59", 3
  %".62" = getelementptr i8, ptr %"validity.1", i64 %".61"
  %".63" = and i64 %".59", 7
  %".64" = trunc i64 %".63" to i8
  %".65" = shl i8 1, %".64"
  %".66" = load i8, ptr %".62"
  %".67" = xor i8 %".65", -1
  %".68" = and i8 %".66", %".67"
  store i8 %".68", ptr %".62"
  br label %"row.body.endif"
row.body.endif:
  %".71" = getelementptr i64, ptr %"values.1", i64 %".59"
  store i64 %".48", ptr %".71"
  %".73" = add i64 %".59", 1
  store i64 %".73", i64* %"out_n"
  br label %"row.end"
}

declare {i64, i1} @"llvm.smul.with.overflow.i64"(i64 %".1", i64 %".2")

declare {i64, i1} @"llvm.sadd.with.overflow.i64"(i64 %".1", i64 %".2")

declare i64 @"llvm.ssub.sat.i64"(i64 %".1", i64 %".2")

declare i64 @"llvm.smax.i64"(i64 %".1", i64 %".2")

define i64 @"lc_d9097e8b6ecaefe0_0_run_nulls"(ptr %"pipe", ptr %"cols", i64 %"start", i64 %"n") nounwind
{
entry:
  %"ctx" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 5
  %"err_code" = alloca i64
  store i64 0, i64* %"err_code"
  %"scratch" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 8
  %"scratch.1" = load ptr, ptr %"scratch"
  %"scratch_cap" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 9
  %"scratch_cap.1" = load i64, ptr %"scratch_cap"
  %"scratch_used" = alloca i64
  store i64 0, i64* %"scratch_used"
  %"i" = alloca i64
  store i64 %"start", i64* %"i"
  %"wm" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
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
  %"seq_base" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 11
  %"seq_base.1" = load i64, ptr %"seq_base"
  %"out" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 4
  %"out.1" = load ptr, ptr %"out"
  %"cols.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 3
  %"cols.2" = load ptr, ptr %"cols.1"
  %".16" = getelementptr {ptr, ptr, ptr, i64, i64, i64}, ptr %"cols.2", i64 0
  %"values" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 0
  %"values.1" = load ptr, ptr %"values"
  %"validity" = getelementptr inbounds {ptr, ptr, ptr, i64, i64, i64}, ptr %".16", i32 0, i32 1
  %"validity.1" = load ptr, ptr %"validity"
  %"n.1" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  %"n.2" = load i64, ptr %"n.1"
  %"out_n" = alloca i64
  store i64 %"n.2", i64* %"out_n"
  %".28" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 1
  %"values.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 0
  %"values.3" = load ptr, ptr %"values.2"
  %"validity.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 1
  %"validity.3" = load ptr, ptr %"validity.2"
  %"offsets" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 2
  %"offsets.1" = load ptr, ptr %"offsets"
  %"offset" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".28", i32 0, i32 3
  %"offset.1" = load i64, ptr %"offset"
  %".53" = getelementptr {ptr, ptr, ptr, i64}, ptr %"cols", i64 0
  %"values.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".53", i32 0, i32 0
  %"values.5" = load ptr, ptr %"values.4"
  %"validity.4" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".53", i32 0, i32 1
  %"validity.5" = load ptr, ptr %"validity.4"
  %"offsets.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".53", i32 0, i32 2
  %"offsets.3" = load ptr, ptr %"offsets.2"
  %"offset.2" = getelementptr inbounds {ptr, ptr, ptr, i64}, ptr %".53", i32 0, i32 3
  %"offset.3" = load i64, ptr %"offset.2"
  br label %"body"
body:
  br label %"head"
head:
  %"j" = load i64, i64* %"i"
  %".20" = icmp slt i64 %"j", %"n"
  br i1 %".20", label %"row", label %"done"
row:
  %"row_seq" = add i64 %"seq_base.1", %"j"
  store i64 0, i64* %"row_errors"
  store i64 0, i64* %"scratch_used"
  store i1 0, i1* %"reached_window"
  store i1 0, i1* %"open_window"
  br label %"row.loads"
row.loads:
  %".29" = add i64 %"offset.1", %"j"
  %".30" = lshr i64 %".29", 3
  %".31" = getelementptr i8, ptr %"validity.3", i64 %".30"
  %".32" = load i8, ptr %".31"
  %".33" = and i64 %".29", 7
  %".34" = trunc i64 %".33" to i8
  %".35" = lshr i8 %".32", %".34"
  %".36" = trunc i8 %".35" to i1
  %".37" = xor i1 %".36", -1
  %".38" = getelementptr i64, ptr %"values.3", i64 %".29"
  %".39" = load i64, ptr %".38"
  %".54" = add i64 %"offset.3", %"j"
  %".55" = getelementptr i64, ptr %"values.5", i64 %".54"
  %".56" = load i64, ptr %".55"
  br label %"row.body"
row.body:
  %".40" = xor i1 %".37", -1
  %".41" = call {i64, i1} @"llvm.smul.with.overflow.i64"(i64 %".39", i64 2)
  %".42" = extractvalue {i64, i1} %".41", 0
  %".43" = extractvalue {i64, i1} %".41", 1
  %".44" = and i1 %".43", %".40"
  %".45" = zext i1 %".44" to i64
  %".46" = load i64, i64* %"row_errors"
  %".47" = add i64 %".46", %".45"
  store i64 %".47", i64* %"row_errors"
  %".49" = load i64, i64* %"err_code"
  %".50" = select  i1 %".44", i64 2, i64 %".49"
  store i64 %".50", i64* %"err_code"
  %".52" = or i1 %".37", %".43"
  %".57" = xor i1 %".52", -1
  %".58" = call {i64, i1} @"llvm.sadd.with.overflow.i64"(i64 %".42", i64 %".56")
  %".59" = extractvalue {i64, i1} %".58", 0
  %".60" = extractvalue {i64, i1} %".58", 1
  %".61" = and i1 %".60", %".57"
  %".62" = zext i1 %".61" to i64
  %".63" = load i64, i64* %"row_errors"
  %".64" = add i64 %".63", %".62"
  store i64 %".64", i64* %"row_errors"
  %".66" = load i64, i64* %"err_code"
  %".67" = select  i1 %".61", i64 2, i64 %".66"
  store i64 %".67", i64* %"err_code"
  %".69" = or i1 %".52", %".60"
  %".70" = load i64, i64* %"out_n"
  br i1 %".69", label %"row.body.if", label %"row.body.endif"
row.end:
  %".87" = load i64, i64* %"errors"
  %".88" = load i64, i64* %"row_errors"
  %".89" = add i64 %".87", %".88"
  store i64 %".89", i64* %"errors"
  %".91" = call i64 @"llvm.ssub.sat.i64"(i64 %".56", i64 0)
  %".92" = load i64, i64* %"wm.2"
  %".93" = call i64 @"llvm.smax.i64"(i64 %".92", i64 %".91")
  store i64 %".93", i64* %"wm.2"
  %".95" = add i64 %"j", 1
  store i64 %".95", i64* %"i"
  br label %"head"
done:
  %".98" = load i64, i64* %"wm.2"
  %"wm.3" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".98", ptr %"wm.3"
  %"late_rows" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.1" = load i64, ptr %"late_rows"
  %".100" = load i64, i64* %"late"
  %".101" = add i64 %"late_rows.1", %".100"
  %"late_rows.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".101", ptr %"late_rows.2"
  %"errors.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.2" = load i64, ptr %"errors.1"
  %".103" = load i64, i64* %"errors"
  %".104" = add i64 %"errors.2", %".103"
  %"errors.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".104", ptr %"errors.3"
  %"first_error" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.1" = load i64, ptr %"first_error"
  %".106" = load i64, i64* %"err_code"
  %".107" = icmp eq i64 %"first_error.1", 0
  %".108" = select  i1 %".107", i64 %".106", i64 %"first_error.1"
  %"first_error.2" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".108", ptr %"first_error.2"
  %".110" = load i64, i64* %"out_n"
  %"n.3" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".110", ptr %"n.3"
  %"resume_k" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 0, ptr %"resume_k"
  ret i64 %"n"
exit:
  %".114" = load i64, i64* %"wm.2"
  %"wm.4" = getelementptr inbounds {ptr, ptr, i64, ptr, ptr, {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64, i64, i64, i64, i64}, ptr %"pipe", i32 0, i32 2
  store i64 %".114", ptr %"wm.4"
  %"late_rows.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  %"late_rows.4" = load i64, ptr %"late_rows.3"
  %".116" = load i64, i64* %"late"
  %".117" = add i64 %"late_rows.4", %".116"
  %"late_rows.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 5
  store i64 %".117", ptr %"late_rows.5"
  %"errors.4" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  %"errors.5" = load i64, ptr %"errors.4"
  %".119" = load i64, i64* %"errors"
  %".120" = add i64 %"errors.5", %".119"
  %"errors.6" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 6
  store i64 %".120", ptr %"errors.6"
  %"first_error.3" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  %"first_error.4" = load i64, ptr %"first_error.3"
  %".122" = load i64, i64* %"err_code"
  %".123" = icmp eq i64 %"first_error.4", 0
  %".124" = select  i1 %".123", i64 %".122", i64 %"first_error.4"
  %"first_error.5" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 7
  store i64 %".124", ptr %"first_error.5"
  %".126" = load i64, i64* %"out_n"
  %"n.4" = getelementptr inbounds {i64, i64, i64, ptr}, ptr %"out.1", i32 0, i32 0
  store i64 %".126", ptr %"n.4"
  %".128" = load i64, i64* %"k"
  %"resume_k.1" = getelementptr inbounds {i64, ptr, i64, i64, i64, i64, i64, i64, ptr, i64}, ptr %"ctx", i32 0, i32 4
  store i64 %".128", ptr %"resume_k.1"
  %".130" = load i64, i64* %"i"
  ret i64 %".130"
row.body.if:
  %".72" = lshr i64 %".70", 3
  %".73" = getelementptr i8, ptr %"validity.1", i64 %".72"
  %".74" = and i64 %".70", 7
  %".75" = trunc i64 %".74" to i8
  %".76" = shl i8 1, %".75"
  %".77" = load i8, ptr %".73"
  %".78" = xor i8 %".76", -1
  %".79" = and i8 %".77", %".78"
  store i8 %".79", ptr %".73"
  br label %"row.body.endif"
row.body.endif:
  %".82" = getelementptr i64, ptr %"values.1", i64 %".70"
  store i64 %".59", ptr %".82"
  %".84" = add i64 %".70", 1
  store i64 %".84", i64* %"out_n"
  br label %"row.end"
}
