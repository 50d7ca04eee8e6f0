;; openbeat's WebAssembly kernels (128-bit SIMD: two doubles per instruction), in the flat text format.
;; The bytes in kernels-wasm.ts are assembled from this file by `npx tsx src/ml/wasm/generate.ts`, and a test
;; checks that they are up to date. Each kernel has a JavaScript twin in kernels-js.ts with the same arithmetic
;; in the same order, so both give bit-identical results (also checked by a test); see kernel-arena.ts for how
;; memory is owned.
;;
;; Conventions: pointers are byte offsets into the one imported memory; matrices are row-major doubles. The
;; task kernels (exported, four i32 parameters) read their operands from a parameter block at $P and work on
;; the half-open task range [$a, $b) (rows, or tiles), so that a range can be split among threads: each task
;; writes only its own rows. $scratch is 128 bytes private to the calling thread.
;;
;; No kernel reorders a sum: every double is accumulated in the same order as the plain loop it replaces
;; (vectors run across independent sums, never along one), so results do not depend on SIMD or threads.

(module
  (import "env" "mem" (memory 1 65536 shared))

  ;; ‖x_a − x_b‖² over p doubles at byte offsets a and b: two f64x2 accumulators over blocks of four (lanes
  ;; j mod 4 = 0, 1 and 2, 3), added lane-wise, then the two lanes, then the p mod 4 tail in order.
  (func $sqdist (export "sqdist") (param $a i32) (param $b i32) (param $p i32) (result f64)
    (local $end i32) (local $s0 v128) (local $s1 v128) (local $s f64) (local $d v128) (local $e f64)
    local.get $a local.get $p i32.const -4 i32.and i32.const 3 i32.shl i32.add local.set $end
    block $done loop $next
      local.get $a local.get $end i32.ge_u br_if $done
      local.get $s0 local.get $a v128.load align=8 local.get $b v128.load align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $s0
      local.get $s1 local.get $a v128.load offset=16 align=8 local.get $b v128.load offset=16 align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $s1
      local.get $a i32.const 32 i32.add local.set $a
      local.get $b i32.const 32 i32.add local.set $b
      br $next
    end end
    local.get $s0 local.get $s1 f64x2.add local.set $s0
    local.get $s0 f64x2.extract_lane 0 local.get $s0 f64x2.extract_lane 1 f64.add local.set $s
    local.get $p i32.const 3 i32.and local.set $p
    block $done2 loop $tail
      local.get $p i32.eqz br_if $done2
      local.get $s local.get $a f64.load local.get $b f64.load f64.sub local.tee $e local.get $e f64.mul f64.add local.set $s
      local.get $a i32.const 8 i32.add local.set $a
      local.get $b i32.const 8 i32.add local.set $b
      local.get $p i32.const 1 i32.sub local.set $p
      br $tail
    end end
    local.get $s)

  ;; ‖x_a − x_b‖² and ‖x_a − x_c‖² at once (x_a read once), each with exactly the arithmetic of $sqdist.
  (func $sqdist2 (param $a i32) (param $b i32) (param $c i32) (param $p i32) (result f64 f64)
    (local $end i32) (local $x0 v128) (local $x1 v128) (local $s0 v128) (local $s1 v128) (local $t0 v128) (local $t1 v128) (local $d v128)
    (local $s f64) (local $t f64) (local $xe f64) (local $e f64)
    local.get $a local.get $p i32.const -4 i32.and i32.const 3 i32.shl i32.add local.set $end
    block $done loop $next
      local.get $a local.get $end i32.ge_u br_if $done
      local.get $a v128.load align=8 local.set $x0
      local.get $a v128.load offset=16 align=8 local.set $x1
      local.get $s0 local.get $x0 local.get $b v128.load align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $s0
      local.get $s1 local.get $x1 local.get $b v128.load offset=16 align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $s1
      local.get $t0 local.get $x0 local.get $c v128.load align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $t0
      local.get $t1 local.get $x1 local.get $c v128.load offset=16 align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $t1
      local.get $a i32.const 32 i32.add local.set $a
      local.get $b i32.const 32 i32.add local.set $b
      local.get $c i32.const 32 i32.add local.set $c
      br $next
    end end
    local.get $s0 local.get $s1 f64x2.add local.set $s0
    local.get $s0 f64x2.extract_lane 0 local.get $s0 f64x2.extract_lane 1 f64.add local.set $s
    local.get $t0 local.get $t1 f64x2.add local.set $t0
    local.get $t0 f64x2.extract_lane 0 local.get $t0 f64x2.extract_lane 1 f64.add local.set $t
    local.get $p i32.const 3 i32.and local.set $p
    block $done2 loop $tail
      local.get $p i32.eqz br_if $done2
      local.get $a f64.load local.set $xe
      local.get $s local.get $xe local.get $b f64.load f64.sub local.tee $e local.get $e f64.mul f64.add local.set $s
      local.get $t local.get $xe local.get $c f64.load f64.sub local.tee $e local.get $e f64.mul f64.add local.set $t
      local.get $a i32.const 8 i32.add local.set $a
      local.get $b i32.const 8 i32.add local.set $b
      local.get $c i32.const 8 i32.add local.set $c
      local.get $p i32.const 1 i32.sub local.set $p
      br $tail
    end end
    local.get $s local.get $t)

  ;; ‖x_a − x_b‖² in the order of sqDist in kmeans-plus-plus.ts: four partial sums s0..s3 over j mod 4, the
  ;; tail added to s0, then (s0 + s1) + (s2 + s3).
  (func $sqdist_js (export "sqdist_js") (param $a i32) (param $b i32) (param $p i32) (result f64)
    (local $end i32) (local $v01 v128) (local $v23 v128) (local $d v128) (local $s0 f64) (local $e f64)
    local.get $a local.get $p i32.const -4 i32.and i32.const 3 i32.shl i32.add local.set $end
    block $done loop $next
      local.get $a local.get $end i32.ge_u br_if $done
      local.get $v01 local.get $a v128.load align=8 local.get $b v128.load align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $v01
      local.get $v23 local.get $a v128.load offset=16 align=8 local.get $b v128.load offset=16 align=8 f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $v23
      local.get $a i32.const 32 i32.add local.set $a
      local.get $b i32.const 32 i32.add local.set $b
      br $next
    end end
    local.get $v01 f64x2.extract_lane 0 local.set $s0
    local.get $p i32.const 3 i32.and local.set $p
    block $done2 loop $tail
      local.get $p i32.eqz br_if $done2
      local.get $s0 local.get $a f64.load local.get $b f64.load f64.sub local.tee $e local.get $e f64.mul f64.add local.set $s0
      local.get $a i32.const 8 i32.add local.set $a
      local.get $b i32.const 8 i32.add local.set $b
      local.get $p i32.const 1 i32.sub local.set $p
      br $tail
    end end
    local.get $s0 local.get $v01 f64x2.extract_lane 1 f64.add
    local.get $v23 f64x2.extract_lane 0 local.get $v23 f64x2.extract_lane 1 f64.add
    f64.add)

  ;; k-means parameter block: 0 X, 4 C (k×p centres), 8 p, 12 k, 16 labels (i32 n), 20 upper (n), 24 lower
  ;; (n×k), 28 drift (k), 32 half (k×k, +inf on the diagonal), 36 halfNearest (k), 40 out (n), 48 slack (f64).

  ;; Rows [a, b): the distance to every centre into lower[i·k + c], the first nearest centre into labels[i]
  ;; and its distance into upper[i].
  (func (export "kmeans_assign_full") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $C i32) (local $p i32) (local $k i32) (local $labels i32) (local $upper i32) (local $lower i32)
    (local $i i32) (local $c i32) (local $row i32) (local $bytes i32) (local $lo i32) (local $best f64) (local $arg i32) (local $d f64) (local $d2 f64)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=4 local.set $C
    local.get $P i32.load offset=8 local.set $p
    local.get $P i32.load offset=12 local.set $k
    local.get $P i32.load offset=16 local.set $labels
    local.get $P i32.load offset=20 local.set $upper
    local.get $P i32.load offset=24 local.set $lower
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $a local.set $i
    block $rows_done loop $rows
      local.get $i local.get $b i32.ge_u br_if $rows_done
      local.get $X local.get $i local.get $bytes i32.mul i32.add local.set $row
      local.get $lower local.get $i local.get $k i32.mul i32.const 3 i32.shl i32.add local.set $lo
      f64.const inf local.set $best
      i32.const 0 local.set $arg
      i32.const 0 local.set $c
      block $pairs_done loop $pairs
        local.get $c i32.const 2 i32.add local.get $k i32.gt_u br_if $pairs_done
        local.get $row
        local.get $C local.get $c local.get $bytes i32.mul i32.add
        local.get $C local.get $c i32.const 1 i32.add local.get $bytes i32.mul i32.add
        local.get $p call $sqdist2 f64.sqrt local.set $d2 f64.sqrt local.set $d
        local.get $lo local.get $c i32.const 3 i32.shl i32.add local.get $d f64.store
        local.get $lo local.get $c i32.const 3 i32.shl i32.add local.get $d2 f64.store offset=8
        local.get $d local.get $best f64.lt
        if
          local.get $d local.set $best
          local.get $c local.set $arg
        end
        local.get $d2 local.get $best f64.lt
        if
          local.get $d2 local.set $best
          local.get $c i32.const 1 i32.add local.set $arg
        end
        local.get $c i32.const 2 i32.add local.set $c
        br $pairs
      end end
      local.get $c local.get $k i32.lt_u
      if
        local.get $row local.get $C local.get $c local.get $bytes i32.mul i32.add local.get $p call $sqdist f64.sqrt local.set $d
        local.get $lo local.get $c i32.const 3 i32.shl i32.add local.get $d f64.store
        local.get $d local.get $best f64.lt
        if
          local.get $d local.set $best
          local.get $c local.set $arg
        end
      end
      local.get $labels local.get $i i32.const 2 i32.shl i32.add local.get $arg i32.store
      local.get $upper local.get $i i32.const 3 i32.shl i32.add local.get $best f64.store
      local.get $i i32.const 1 i32.add local.set $i
      br $rows
    end end)

  ;; Rows [a, b): Elkan's bounded assignment step (Elkan 2003), the loop of boundedAssign in kmeans.ts. Bounds are
  ;; stored relative to each centre's cumulative drift; a row is skipped when its upper bound (times slack) is
  ;; below half the distance from its centre to the nearest other centre, a centre c when the bound is below
  ;; max(lower bound, half distance between the centres); ties go to the lower index.
  (func (export "kmeans_assign_bounded") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $C i32) (local $p i32) (local $k i32) (local $labels i32) (local $upper i32) (local $lower i32)
    (local $drift i32) (local $half i32) (local $halfNearest i32) (local $slack f64)
    (local $i i32) (local $c i32) (local $a0 i32) (local $cur i32) (local $ha i32) (local $row i32) (local $li i32) (local $bytes i32)
    (local $tight i32) (local $u f64) (local $us f64) (local $l f64) (local $h f64) (local $z f64) (local $d f64) (local $zs v128)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=4 local.set $C
    local.get $P i32.load offset=8 local.set $p
    local.get $P i32.load offset=12 local.set $k
    local.get $P i32.load offset=16 local.set $labels
    local.get $P i32.load offset=20 local.set $upper
    local.get $P i32.load offset=24 local.set $lower
    local.get $P i32.load offset=28 local.set $drift
    local.get $P i32.load offset=32 local.set $half
    local.get $P i32.load offset=36 local.set $halfNearest
    local.get $P f64.load offset=48 local.set $slack
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $a local.set $i
    block $rows_done loop $rows
      local.get $i local.get $b i32.ge_u br_if $rows_done
      block $next_row
        local.get $labels local.get $i i32.const 2 i32.shl i32.add i32.load local.set $a0
        local.get $upper local.get $i i32.const 3 i32.shl i32.add f64.load
        local.get $drift local.get $a0 i32.const 3 i32.shl i32.add f64.load f64.add local.set $u
        local.get $u local.get $slack f64.mul local.set $us
        local.get $us local.get $halfNearest local.get $a0 i32.const 3 i32.shl i32.add f64.load f64.lt br_if $next_row
        local.get $a0 local.set $cur
        local.get $half local.get $cur local.get $k i32.mul i32.const 3 i32.shl i32.add local.set $ha
        local.get $X local.get $i local.get $bytes i32.mul i32.add local.set $row
        local.get $lower local.get $i local.get $k i32.mul i32.const 3 i32.shl i32.add local.set $li
        ;; Most rows keep their centre without a distance: when the bound is below max(lower bound, half distance)
        ;; for every other centre (half[a0·k + a0] is +inf, which leaves a0 out), the loop below would skip
        ;; them all, so only its last store is done. pmax(h, l) is exactly l > h ? l : h.
        f64.const inf f64x2.splat local.set $zs
        i32.const 0 local.set $c
        block $pre_done loop $pre
          local.get $c i32.const 2 i32.add local.get $k i32.gt_u br_if $pre_done
          local.get $zs
          local.get $ha local.get $c i32.const 3 i32.shl i32.add v128.load align=8
          local.get $li local.get $c i32.const 3 i32.shl i32.add v128.load align=8
          local.get $drift local.get $c i32.const 3 i32.shl i32.add v128.load align=8 f64x2.sub
          f64x2.pmax f64x2.min local.set $zs
          local.get $c i32.const 2 i32.add local.set $c
          br $pre
        end end
        local.get $zs f64x2.extract_lane 0 local.get $zs f64x2.extract_lane 1 f64.min local.set $z
        local.get $c local.get $k i32.lt_u
        if
          local.get $li local.get $c i32.const 3 i32.shl i32.add f64.load
          local.get $drift local.get $c i32.const 3 i32.shl i32.add f64.load f64.sub local.set $l
          local.get $ha local.get $c i32.const 3 i32.shl i32.add f64.load local.set $h
          local.get $z local.get $l local.get $h local.get $l local.get $h f64.gt select f64.min local.set $z
        end
        local.get $us local.get $z f64.lt
        if
          local.get $upper local.get $i i32.const 3 i32.shl i32.add
          local.get $u local.get $drift local.get $a0 i32.const 3 i32.shl i32.add f64.load f64.sub f64.store
          br $next_row
        end
        i32.const 0 local.set $tight
        i32.const 0 local.set $c
        block $cs_done loop $cs
          local.get $c local.get $k i32.ge_u br_if $cs_done
          block $next_c
            local.get $c local.get $cur i32.eq br_if $next_c
            local.get $li local.get $c i32.const 3 i32.shl i32.add f64.load
            local.get $drift local.get $c i32.const 3 i32.shl i32.add f64.load f64.sub local.set $l
            local.get $ha local.get $c i32.const 3 i32.shl i32.add f64.load local.set $h
            local.get $l local.get $h local.get $l local.get $h f64.gt select local.set $z
            local.get $us local.get $z f64.lt br_if $next_c
            local.get $tight i32.eqz
            if
              local.get $row local.get $C local.get $cur local.get $bytes i32.mul i32.add local.get $p call $sqdist f64.sqrt local.set $u
              local.get $u local.get $slack f64.mul local.set $us
              local.get $li local.get $cur i32.const 3 i32.shl i32.add
              local.get $u local.get $drift local.get $cur i32.const 3 i32.shl i32.add f64.load f64.add f64.store
              i32.const 1 local.set $tight
              local.get $us local.get $z f64.lt br_if $next_c
            end
            local.get $row local.get $C local.get $c local.get $bytes i32.mul i32.add local.get $p call $sqdist f64.sqrt local.set $d
            local.get $li local.get $c i32.const 3 i32.shl i32.add
            local.get $d local.get $drift local.get $c i32.const 3 i32.shl i32.add f64.load f64.add f64.store
            local.get $d local.get $u f64.lt
            local.get $d local.get $u f64.eq local.get $c local.get $cur i32.lt_u i32.and
            i32.or
            if
              local.get $c local.set $cur
              local.get $half local.get $cur local.get $k i32.mul i32.const 3 i32.shl i32.add local.set $ha
              local.get $d local.set $u
              local.get $u local.get $slack f64.mul local.set $us
            end
          end
          local.get $c i32.const 1 i32.add local.set $c
          br $cs
        end end
        local.get $upper local.get $i i32.const 3 i32.shl i32.add
        local.get $u local.get $drift local.get $cur i32.const 3 i32.shl i32.add f64.load f64.sub f64.store
        local.get $labels local.get $i i32.const 2 i32.shl i32.add local.get $cur i32.store
      end
      local.get $i i32.const 1 i32.add local.set $i
      br $rows
    end end)

  ;; Rows [a, b): out[i] = ‖x_i − C[labels[i]]‖².
  (func (export "kmeans_row_dist") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $C i32) (local $p i32) (local $labels i32) (local $out i32) (local $bytes i32) (local $i i32)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=4 local.set $C
    local.get $P i32.load offset=8 local.set $p
    local.get $P i32.load offset=16 local.set $labels
    local.get $P i32.load offset=40 local.set $out
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $a local.set $i
    block $done loop $rows
      local.get $i local.get $b i32.ge_u br_if $done
      local.get $out local.get $i i32.const 3 i32.shl i32.add
      local.get $X local.get $i local.get $bytes i32.mul i32.add
      local.get $C local.get $labels local.get $i i32.const 2 i32.shl i32.add i32.load local.get $bytes i32.mul i32.add
      local.get $p call $sqdist f64.store
      local.get $i i32.const 1 i32.add local.set $i
      br $rows
    end end)

  ;; Rows [a, b): labels[i] = the first centre of least ‖x_i − c‖² in sqDist's order (predictKmeans).
  (func (export "kmeans_nearest") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $C i32) (local $p i32) (local $k i32) (local $labels i32) (local $bytes i32)
    (local $i i32) (local $c i32) (local $row i32) (local $best f64) (local $arg i32) (local $s f64)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=4 local.set $C
    local.get $P i32.load offset=8 local.set $p
    local.get $P i32.load offset=12 local.set $k
    local.get $P i32.load offset=16 local.set $labels
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $a local.set $i
    block $rows_done loop $rows
      local.get $i local.get $b i32.ge_u br_if $rows_done
      local.get $X local.get $i local.get $bytes i32.mul i32.add local.set $row
      f64.const inf local.set $best
      i32.const 0 local.set $arg
      i32.const 0 local.set $c
      block $cs_done loop $cs
        local.get $c local.get $k i32.ge_u br_if $cs_done
        local.get $row local.get $C local.get $c local.get $bytes i32.mul i32.add local.get $p call $sqdist_js local.set $s
        local.get $s local.get $best f64.lt
        if
          local.get $s local.set $best
          local.get $c local.set $arg
        end
        local.get $c i32.const 1 i32.add local.set $c
        br $cs
      end end
      local.get $labels local.get $i i32.const 2 i32.shl i32.add local.get $arg i32.store
      local.get $i i32.const 1 i32.add local.set $i
      br $rows
    end end)

  ;; k-means++ parameter block: 0 X, 4 p, 8 ids (i32 m candidate rows), 12 m, 16 closest (n), 20 out (m×n), 24 n.
  ;; Rows [a, b): out[t·n + i] = min(closest[i], ‖x_i − x_ids[t]‖²) for each candidate t (out may be closest when m = 1).
  (func (export "kmeanspp_min") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $p i32) (local $ids i32) (local $m i32) (local $closest i32) (local $out i32) (local $n i32)
    (local $bytes i32) (local $i i32) (local $t i32) (local $row i32) (local $cl f64) (local $d f64) (local $d2 f64)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=4 local.set $p
    local.get $P i32.load offset=8 local.set $ids
    local.get $P i32.load offset=12 local.set $m
    local.get $P i32.load offset=16 local.set $closest
    local.get $P i32.load offset=20 local.set $out
    local.get $P i32.load offset=24 local.set $n
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $a local.set $i
    block $rows_done loop $rows
      local.get $i local.get $b i32.ge_u br_if $rows_done
      local.get $X local.get $i local.get $bytes i32.mul i32.add local.set $row
      local.get $closest local.get $i i32.const 3 i32.shl i32.add f64.load local.set $cl
      i32.const 0 local.set $t
      block $ts_done loop $ts
        local.get $t i32.const 2 i32.add local.get $m i32.gt_u br_if $ts_done
        local.get $row
        local.get $X local.get $ids local.get $t i32.const 2 i32.shl i32.add i32.load local.get $bytes i32.mul i32.add
        local.get $X local.get $ids local.get $t i32.const 2 i32.shl i32.add i32.load offset=4 local.get $bytes i32.mul i32.add
        local.get $p call $sqdist2 local.set $d2 local.set $d
        local.get $out local.get $t local.get $n i32.mul local.get $i i32.add i32.const 3 i32.shl i32.add
        local.get $d local.get $cl local.get $d local.get $cl f64.lt select f64.store
        local.get $out local.get $t i32.const 1 i32.add local.get $n i32.mul local.get $i i32.add i32.const 3 i32.shl i32.add
        local.get $d2 local.get $cl local.get $d2 local.get $cl f64.lt select f64.store
        local.get $t i32.const 2 i32.add local.set $t
        br $ts
      end end
      local.get $t local.get $m i32.lt_u
      if
        local.get $row
        local.get $X local.get $ids local.get $t i32.const 2 i32.shl i32.add i32.load local.get $bytes i32.mul i32.add
        local.get $p call $sqdist local.set $d
        local.get $out local.get $t local.get $n i32.mul local.get $i i32.add i32.const 3 i32.shl i32.add
        local.get $d local.get $cl local.get $d local.get $cl f64.lt select f64.store
      end
      local.get $i i32.const 1 i32.add local.set $i
      br $rows
    end end)

  ;; Cluster-sums parameter block: 0 X (n×p rows), 4 p, 8 labels (i32 n), 12 W (n weights), 16 sums (k×p), 20 counts
  ;; (k), 24 live (i32 k).

  ;; Rows [a, b) in order, those of weight 0 left out: counts[c] += w, live[c] += 1, sums[c·p + j] += x_j·w (lanes
  ;; run across j, so every sum gains its rows in order, as in the plain loop).
  (func (export "kmeans_sums") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $p i32) (local $bytes i32) (local $labels i32) (local $W i32) (local $sums i32) (local $counts i32) (local $live i32)
    (local $w f64) (local $ws v128) (local $c i32) (local $row i32) (local $o i32) (local $end i32) (local $addr i32)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=4 local.set $p
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $P i32.load offset=8 local.set $labels
    local.get $P i32.load offset=12 local.set $W
    local.get $P i32.load offset=16 local.set $sums
    local.get $P i32.load offset=20 local.set $counts
    local.get $P i32.load offset=24 local.set $live
    block $done loop $rows
      local.get $a local.get $b i32.ge_u br_if $done
      block $skip
        local.get $W local.get $a i32.const 3 i32.shl i32.add f64.load local.tee $w f64.const 0 f64.eq br_if $skip
        local.get $labels local.get $a i32.const 2 i32.shl i32.add i32.load local.set $c
        local.get $counts local.get $c i32.const 3 i32.shl i32.add local.tee $addr
        local.get $addr f64.load local.get $w f64.add f64.store
        local.get $live local.get $c i32.const 2 i32.shl i32.add local.tee $addr
        local.get $addr i32.load i32.const 1 i32.add i32.store
        local.get $w f64x2.splat local.set $ws
        local.get $X local.get $a local.get $bytes i32.mul i32.add local.set $row
        local.get $sums local.get $c local.get $bytes i32.mul i32.add local.set $o
        local.get $row local.get $p i32.const -2 i32.and i32.const 3 i32.shl i32.add local.set $end
        block $pd loop $pairs
          local.get $row local.get $end i32.ge_u br_if $pd
          local.get $o local.get $o v128.load align=8 local.get $row v128.load align=8 local.get $ws f64x2.mul f64x2.add v128.store align=8
          local.get $row i32.const 16 i32.add local.set $row
          local.get $o i32.const 16 i32.add local.set $o
          br $pairs
        end end
        local.get $p i32.const 1 i32.and
        if
          local.get $o local.get $o f64.load local.get $row f64.load local.get $w f64.mul f64.add f64.store
        end
      end
      local.get $a i32.const 1 i32.add local.set $a
      br $rows
    end end)

  ;; Silhouette parameter block: 0 D (row-major, Gq·4 rows), 4 Dt (the same rows in quads, each quad as p groups
  ;; of 4 doubles: Dt[(q·p + j)·4 + h] = D[(4q + h)·p + j]), 8 lab (i32), 12 w (f64 weights), 16 S (Gq·4 × k
  ;; sums), 20 Gq (number of quads), 24 p, 28 k, 32 tq (quads per tile).
  ;;
  ;; S[x·k + c] accumulates w_y·‖x − y‖ over the rows y ≠ x of cluster c in ascending order of y, the order of
  ;; the plain pair loop; the tile schedule in silhouette-kernel.ts keeps that order (tiles of one anti-diagonal
  ;; touch disjoint rows and run concurrently, anti-diagonals run one after another).

  ;; The 16 distances ‖x_{4Q+r} − x_{4R+h}‖ into scratch[r·4 + h]: each lane sums (x_j − y_j)² over j in order.
  (func $sil_quad (param $P i32) (param $Q i32) (param $R i32) (param $scratch i32)
    (local $p i32) (local $bytes i32) (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $y i32) (local $end i32)
    (local $ya v128) (local $yb v128) (local $xs v128) (local $d v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    local.get $P i32.load offset=24 local.set $p
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $P i32.load local.get $Q local.get $bytes i32.mul i32.const 2 i32.shl i32.add local.set $x0
    local.get $x0 local.get $bytes i32.add local.set $x1
    local.get $x1 local.get $bytes i32.add local.set $x2
    local.get $x2 local.get $bytes i32.add local.set $x3
    local.get $P i32.load offset=4 local.get $R local.get $bytes i32.mul i32.const 2 i32.shl i32.add local.set $y
    local.get $x1 local.set $end
    block $done loop $js
      local.get $x0 local.get $end i32.ge_u br_if $done
      local.get $y v128.load align=8 local.set $ya
      local.get $y v128.load offset=16 align=8 local.set $yb
      local.get $x0 v128.load64_splat local.set $xs
      local.get $a00 local.get $xs local.get $ya f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $a00
      local.get $a01 local.get $xs local.get $yb f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $a01
      local.get $x1 v128.load64_splat local.set $xs
      local.get $a10 local.get $xs local.get $ya f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $a10
      local.get $a11 local.get $xs local.get $yb f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $a11
      local.get $x2 v128.load64_splat local.set $xs
      local.get $a20 local.get $xs local.get $ya f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $a20
      local.get $a21 local.get $xs local.get $yb f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $a21
      local.get $x3 v128.load64_splat local.set $xs
      local.get $a30 local.get $xs local.get $ya f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $a30
      local.get $a31 local.get $xs local.get $yb f64x2.sub local.tee $d local.get $d f64x2.mul f64x2.add local.set $a31
      local.get $x0 i32.const 8 i32.add local.set $x0
      local.get $x1 i32.const 8 i32.add local.set $x1
      local.get $x2 i32.const 8 i32.add local.set $x2
      local.get $x3 i32.const 8 i32.add local.set $x3
      local.get $y i32.const 32 i32.add local.set $y
      br $js
    end end
    local.get $scratch local.get $a00 f64x2.sqrt v128.store align=8
    local.get $scratch local.get $a01 f64x2.sqrt v128.store offset=16 align=8
    local.get $scratch local.get $a10 f64x2.sqrt v128.store offset=32 align=8
    local.get $scratch local.get $a11 f64x2.sqrt v128.store offset=48 align=8
    local.get $scratch local.get $a20 f64x2.sqrt v128.store offset=64 align=8
    local.get $scratch local.get $a21 f64x2.sqrt v128.store offset=80 align=8
    local.get $scratch local.get $a30 f64x2.sqrt v128.store offset=96 align=8
    local.get $scratch local.get $a31 f64x2.sqrt v128.store offset=112 align=8)

  ;; S[x·k + lab[y]] += w[y]·d for target x and neighbour y, d = scratch[s].
  (func $sil_add (param $P i32) (param $x i32) (param $y i32) (param $d f64)
    (local $addr i32)
    local.get $P i32.load offset=16
    local.get $x local.get $P i32.load offset=28 i32.mul
    local.get $P i32.load offset=8 local.get $y i32.const 2 i32.shl i32.add i32.load
    i32.add i32.const 3 i32.shl i32.add local.tee $addr
    local.get $addr f64.load
    local.get $P i32.load offset=12 local.get $y i32.const 3 i32.shl i32.add f64.load local.get $d f64.mul
    f64.add f64.store)

  ;; Quads Q < R: the rows of Q gain their distances to R's rows in order, then R's rows gain Q's (labels as byte
  ;; offsets and weights of all eight rows read once).
  (func $sil_acc_pair (param $P i32) (param $Q i32) (param $R i32) (param $scratch i32)
    (local $S i32) (local $k8 i32) (local $lab i32) (local $w i32) (local $row i32) (local $d i32) (local $addr i32) (local $r i32)
    (local $ly0 i32) (local $ly1 i32) (local $ly2 i32) (local $ly3 i32) (local $lx0 i32) (local $lx1 i32) (local $lx2 i32) (local $lx3 i32)
    (local $wy0 f64) (local $wy1 f64) (local $wy2 f64) (local $wy3 f64) (local $wx0 f64) (local $wx1 f64) (local $wx2 f64) (local $wx3 f64)
    local.get $P i32.load offset=16 local.set $S
    local.get $P i32.load offset=28 i32.const 3 i32.shl local.set $k8
    local.get $P i32.load offset=8 local.set $lab
    local.get $P i32.load offset=12 local.set $w
    local.get $lab local.get $R i32.const 2 i32.shl i32.const 0 i32.add i32.const 2 i32.shl i32.add i32.load i32.const 3 i32.shl local.set $ly0
    local.get $w local.get $R i32.const 2 i32.shl i32.const 0 i32.add i32.const 3 i32.shl i32.add f64.load local.set $wy0
    local.get $lab local.get $Q i32.const 2 i32.shl i32.const 0 i32.add i32.const 2 i32.shl i32.add i32.load i32.const 3 i32.shl local.set $lx0
    local.get $w local.get $Q i32.const 2 i32.shl i32.const 0 i32.add i32.const 3 i32.shl i32.add f64.load local.set $wx0
    local.get $lab local.get $R i32.const 2 i32.shl i32.const 1 i32.add i32.const 2 i32.shl i32.add i32.load i32.const 3 i32.shl local.set $ly1
    local.get $w local.get $R i32.const 2 i32.shl i32.const 1 i32.add i32.const 3 i32.shl i32.add f64.load local.set $wy1
    local.get $lab local.get $Q i32.const 2 i32.shl i32.const 1 i32.add i32.const 2 i32.shl i32.add i32.load i32.const 3 i32.shl local.set $lx1
    local.get $w local.get $Q i32.const 2 i32.shl i32.const 1 i32.add i32.const 3 i32.shl i32.add f64.load local.set $wx1
    local.get $lab local.get $R i32.const 2 i32.shl i32.const 2 i32.add i32.const 2 i32.shl i32.add i32.load i32.const 3 i32.shl local.set $ly2
    local.get $w local.get $R i32.const 2 i32.shl i32.const 2 i32.add i32.const 3 i32.shl i32.add f64.load local.set $wy2
    local.get $lab local.get $Q i32.const 2 i32.shl i32.const 2 i32.add i32.const 2 i32.shl i32.add i32.load i32.const 3 i32.shl local.set $lx2
    local.get $w local.get $Q i32.const 2 i32.shl i32.const 2 i32.add i32.const 3 i32.shl i32.add f64.load local.set $wx2
    local.get $lab local.get $R i32.const 2 i32.shl i32.const 3 i32.add i32.const 2 i32.shl i32.add i32.load i32.const 3 i32.shl local.set $ly3
    local.get $w local.get $R i32.const 2 i32.shl i32.const 3 i32.add i32.const 3 i32.shl i32.add f64.load local.set $wy3
    local.get $lab local.get $Q i32.const 2 i32.shl i32.const 3 i32.add i32.const 2 i32.shl i32.add i32.load i32.const 3 i32.shl local.set $lx3
    local.get $w local.get $Q i32.const 2 i32.shl i32.const 3 i32.add i32.const 3 i32.shl i32.add f64.load local.set $wx3
    i32.const 0 local.set $r
    block $rd loop $rl
      local.get $r i32.const 4 i32.ge_u br_if $rd
      local.get $S local.get $Q i32.const 2 i32.shl local.get $r i32.add local.get $k8 i32.mul i32.add local.set $row
      local.get $scratch local.get $r i32.const 5 i32.shl i32.add local.set $d
      local.get $row local.get $ly0 i32.add local.tee $addr
      local.get $addr f64.load local.get $wy0 local.get $d f64.load offset=0 f64.mul f64.add f64.store
      local.get $row local.get $ly1 i32.add local.tee $addr
      local.get $addr f64.load local.get $wy1 local.get $d f64.load offset=8 f64.mul f64.add f64.store
      local.get $row local.get $ly2 i32.add local.tee $addr
      local.get $addr f64.load local.get $wy2 local.get $d f64.load offset=16 f64.mul f64.add f64.store
      local.get $row local.get $ly3 i32.add local.tee $addr
      local.get $addr f64.load local.get $wy3 local.get $d f64.load offset=24 f64.mul f64.add f64.store
      local.get $r i32.const 1 i32.add local.set $r
      br $rl
    end end
    i32.const 0 local.set $r
    block $hd loop $hl
      local.get $r i32.const 4 i32.ge_u br_if $hd
      local.get $S local.get $R i32.const 2 i32.shl local.get $r i32.add local.get $k8 i32.mul i32.add local.set $row
      local.get $scratch local.get $r i32.const 3 i32.shl i32.add local.set $d
      local.get $row local.get $lx0 i32.add local.tee $addr
      local.get $addr f64.load local.get $wx0 local.get $d f64.load offset=0 f64.mul f64.add f64.store
      local.get $row local.get $lx1 i32.add local.tee $addr
      local.get $addr f64.load local.get $wx1 local.get $d f64.load offset=32 f64.mul f64.add f64.store
      local.get $row local.get $lx2 i32.add local.tee $addr
      local.get $addr f64.load local.get $wx2 local.get $d f64.load offset=64 f64.mul f64.add f64.store
      local.get $row local.get $lx3 i32.add local.tee $addr
      local.get $addr f64.load local.get $wx3 local.get $d f64.load offset=96 f64.mul f64.add f64.store
      local.get $r i32.const 1 i32.add local.set $r
      br $hl
    end end)

  ;; Quad Q with itself: pairs r < h in the order of the plain loop (row side, then column side, pair by pair).
  (func $sil_acc_self (param $P i32) (param $Q i32) (param $scratch i32)
    (local $r i32) (local $h i32) (local $d f64)
    i32.const 0 local.set $r
    block $rd loop $rl
      local.get $r i32.const 4 i32.ge_u br_if $rd
      local.get $r i32.const 1 i32.add local.set $h
      block $hd loop $hl
        local.get $h i32.const 4 i32.ge_u br_if $hd
        local.get $scratch local.get $r i32.const 2 i32.shl local.get $h i32.add i32.const 3 i32.shl i32.add f64.load local.set $d
        local.get $P local.get $Q i32.const 2 i32.shl local.get $r i32.add local.get $Q i32.const 2 i32.shl local.get $h i32.add local.get $d call $sil_add
        local.get $P local.get $Q i32.const 2 i32.shl local.get $h i32.add local.get $Q i32.const 2 i32.shl local.get $r i32.add local.get $d call $sil_add
        local.get $h i32.const 1 i32.add local.set $h
        br $hl
      end end
      local.get $r i32.const 1 i32.add local.set $r
      br $rl
    end end)

  ;; Tile (I, J), I ≤ J: every pair of rows x in tile I and y in tile J with x < y.
  (func (export "silhouette_tile") (param $P i32) (param $I i32) (param $J i32) (param $scratch i32)
    (local $tq i32) (local $Gq i32) (local $Q i32) (local $q1 i32) (local $R i32) (local $r1 i32)
    local.get $P i32.load offset=32 local.set $tq
    local.get $P i32.load offset=20 local.set $Gq
    local.get $I local.get $tq i32.mul local.set $Q
    local.get $Q local.get $tq i32.add local.tee $q1 local.get $Gq i32.gt_u
    if local.get $Gq local.set $q1 end
    local.get $J local.get $tq i32.mul local.get $tq i32.add local.tee $r1 local.get $Gq i32.gt_u
    if local.get $Gq local.set $r1 end
    block $qd loop $ql
      local.get $Q local.get $q1 i32.ge_u br_if $qd
      local.get $I local.get $J i32.eq
      if
        local.get $P local.get $Q local.get $Q local.get $scratch call $sil_quad
        local.get $P local.get $Q local.get $scratch call $sil_acc_self
        local.get $Q i32.const 1 i32.add local.set $R
      else
        local.get $J local.get $tq i32.mul local.set $R
      end
      block $rd loop $rl
        local.get $R local.get $r1 i32.ge_u br_if $rd
        local.get $P local.get $Q local.get $R local.get $scratch call $sil_quad
        local.get $P local.get $Q local.get $R local.get $scratch call $sil_acc_pair
        local.get $R i32.const 1 i32.add local.set $R
        br $rl
      end end
      local.get $Q i32.const 1 i32.add local.set $Q
      br $ql
    end end)

  ;; Pair distances: the silhouette block with 36 n (rows, n ≤ 4·Gq) and 40 T (n(n − 1)/2 doubles). T holds the
  ;; upper triangle row by row, ‖x_g − x_h‖ for g < h at index g·n − g(g + 1)/2 + h − g − 1, each distance as
  ;; $sil_quad computes it (the differences squared and added in order of the features, then the square root).

  ;; Quads Q ≤ R: their 16 distances (in scratch) into T, leaving out pairs with h ≤ g and padding rows.
  (func $pd_store (param $P i32) (param $Q i32) (param $R i32) (param $scratch i32)
    (local $n i32) (local $g i32) (local $y i32) (local $r i32) (local $h i32) (local $base i32)
    local.get $P i32.load offset=36 local.set $n
    i32.const 0 local.set $r
    block $rd loop $rl
      local.get $r i32.const 4 i32.ge_u br_if $rd
      local.get $Q i32.const 2 i32.shl local.get $r i32.add local.tee $g local.get $n i32.ge_u br_if $rd
      ;; base + 8·h addresses pair (g, h): T + 8·(g·n − g(g + 1)/2 − g − 1)
      local.get $P i32.load offset=40
      local.get $g local.get $n i32.mul
      local.get $g local.get $g i32.const 1 i32.add i32.mul i32.const 1 i32.shr_u i32.sub
      local.get $g i32.sub i32.const 1 i32.sub
      i32.const 3 i32.shl i32.add local.set $base
      i32.const 0 local.set $h
      block $hd loop $hl
        local.get $h i32.const 4 i32.ge_u br_if $hd
        local.get $R i32.const 2 i32.shl local.get $h i32.add local.tee $y local.get $n i32.ge_u br_if $hd
        local.get $y local.get $g i32.gt_u
        if
          local.get $base local.get $y i32.const 3 i32.shl i32.add
          local.get $scratch local.get $r i32.const 2 i32.shl local.get $h i32.add i32.const 3 i32.shl i32.add f64.load
          f64.store
        end
        local.get $h i32.const 1 i32.add local.set $h
        br $hl
      end end
      local.get $r i32.const 1 i32.add local.set $r
      br $rl
    end end)

  ;; Tile (I, J), I ≤ J: the distances of every pair of rows x in tile I and y in tile J with x < y, into T.
  ;; Tiles write disjoint entries, so they run in any order.
  (func (export "pair_dist_tile") (param $P i32) (param $I i32) (param $J i32) (param $scratch i32)
    (local $tq i32) (local $Gq i32) (local $Q i32) (local $q1 i32) (local $R i32) (local $r1 i32)
    local.get $P i32.load offset=32 local.set $tq
    local.get $P i32.load offset=20 local.set $Gq
    local.get $I local.get $tq i32.mul local.set $Q
    local.get $Q local.get $tq i32.add local.tee $q1 local.get $Gq i32.gt_u
    if local.get $Gq local.set $q1 end
    local.get $J local.get $tq i32.mul local.get $tq i32.add local.tee $r1 local.get $Gq i32.gt_u
    if local.get $Gq local.set $r1 end
    block $qd loop $ql
      local.get $Q local.get $q1 i32.ge_u br_if $qd
      local.get $I local.get $J i32.eq
      if
        local.get $Q local.set $R
      else
        local.get $J local.get $tq i32.mul local.set $R
      end
      block $rd loop $rl
        local.get $R local.get $r1 i32.ge_u br_if $rd
        local.get $P local.get $Q local.get $R local.get $scratch call $sil_quad
        local.get $P local.get $Q local.get $R local.get $scratch call $pd_store
        local.get $R i32.const 1 i32.add local.set $R
        br $rl
      end end
      local.get $Q i32.const 1 i32.add local.set $Q
      br $ql
    end end)

  ;; PCA parameter block: 0 Xc (centred rows), 4 n, 8 p, 12 S (p×p), 16 Vt (p × m2, m2 even), 20 m2, 24 out (n × m2).

  ;; Covariance rows [a, b): S[u·p + v] += x_u·x_v over all rows in order, for v ≥ u (rows with x_u = 0 add
  ;; nothing and are skipped, as in the plain loop).
  (func (export "pca_cross") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $n i32) (local $p i32) (local $S i32) (local $bytes i32) (local $row i32) (local $end i32)
    (local $u i32) (local $v i32) (local $xu f64) (local $xs v128) (local $o i32)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=4 local.set $n
    local.get $P i32.load offset=8 local.set $p
    local.get $P i32.load offset=12 local.set $S
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $X local.set $row
    local.get $X local.get $n local.get $bytes i32.mul i32.add local.set $end
    block $rows_done loop $rows
      local.get $row local.get $end i32.ge_u br_if $rows_done
      local.get $a local.set $u
      block $us_done loop $us
        local.get $u local.get $b i32.ge_u br_if $us_done
        block $next_u
          local.get $row local.get $u i32.const 3 i32.shl i32.add f64.load local.tee $xu
          f64.const 0 f64.eq br_if $next_u
          local.get $xu f64x2.splat local.set $xs
          local.get $S local.get $u local.get $p i32.mul i32.const 3 i32.shl i32.add local.set $o
          local.get $u local.set $v
          block $vs_done loop $vs
            local.get $v i32.const 2 i32.add local.get $p i32.gt_u br_if $vs_done
            local.get $o local.get $v i32.const 3 i32.shl i32.add
            local.get $o local.get $v i32.const 3 i32.shl i32.add v128.load align=8
            local.get $xs local.get $row local.get $v i32.const 3 i32.shl i32.add v128.load align=8 f64x2.mul
            f64x2.add v128.store align=8
            local.get $v i32.const 2 i32.add local.set $v
            br $vs
          end end
          local.get $v local.get $p i32.lt_u
          if
            local.get $o local.get $v i32.const 3 i32.shl i32.add
            local.get $o local.get $v i32.const 3 i32.shl i32.add f64.load
            local.get $xu local.get $row local.get $v i32.const 3 i32.shl i32.add f64.load f64.mul
            f64.add f64.store
          end
        end
        local.get $u i32.const 1 i32.add local.set $u
        br $us
      end end
      local.get $row local.get $bytes i32.add local.set $row
      br $rows
    end end)

  ;; Rows [a, b): out[i·m2 + c] = Σ_j x_ij·V[c, j] in order of j, two components per lane pair.
  (func (export "pca_project") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $p i32) (local $Vt i32) (local $m2 i32) (local $out i32) (local $bytes i32)
    (local $i i32) (local $row i32) (local $c i32) (local $j i32) (local $acc v128) (local $col i32)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=8 local.set $p
    local.get $P i32.load offset=16 local.set $Vt
    local.get $P i32.load offset=20 local.set $m2
    local.get $P i32.load offset=24 local.set $out
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $a local.set $i
    block $rows_done loop $rows
      local.get $i local.get $b i32.ge_u br_if $rows_done
      local.get $X local.get $i local.get $bytes i32.mul i32.add local.set $row
      i32.const 0 local.set $c
      block $cs_done loop $cs
        local.get $c local.get $m2 i32.ge_u br_if $cs_done
        f64.const 0 f64x2.splat local.set $acc
        local.get $Vt local.get $c i32.const 3 i32.shl i32.add local.set $col
        i32.const 0 local.set $j
        block $js_done loop $js
          local.get $j local.get $p i32.ge_u br_if $js_done
          local.get $acc
          local.get $row local.get $j i32.const 3 i32.shl i32.add v128.load64_splat
          local.get $col v128.load align=8 f64x2.mul f64x2.add local.set $acc
          local.get $col local.get $m2 i32.const 3 i32.shl i32.add local.set $col
          local.get $j i32.const 1 i32.add local.set $j
          br $js
        end end
        local.get $out local.get $i local.get $m2 i32.mul local.get $c i32.add i32.const 3 i32.shl i32.add local.get $acc v128.store align=8
        local.get $c i32.const 2 i32.add local.set $c
        br $cs
      end end
      local.get $i i32.const 1 i32.add local.set $i
      br $rows
    end end)

  ;; Column parameter block: 0 X (n×p), 4 n, 8 p, 12 out (p), 16 mean (p).

  ;; Columns [a, b): out[j] = Σ_i x_ij over the rows in order (two columns per lane pair); $sq = 1 sums x_ij².
  (func $col_accumulate (param $P i32) (param $a i32) (param $b i32) (param $sq i32)
    (local $X i32) (local $n i32) (local $p i32) (local $out i32) (local $bytes i32) (local $j i32) (local $row i32) (local $end i32)
    (local $v v128) (local $e f64) (local $o i32)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=4 local.set $n
    local.get $P i32.load offset=8 local.set $p
    local.get $P i32.load offset=12 local.set $out
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $a local.set $j
    block $zero_done loop $zero
      local.get $j local.get $b i32.ge_u br_if $zero_done
      local.get $out local.get $j i32.const 3 i32.shl i32.add f64.const 0 f64.store
      local.get $j i32.const 1 i32.add local.set $j
      br $zero
    end end
    local.get $X local.get $n local.get $bytes i32.mul i32.add local.set $end
    local.get $X local.set $row
    block $rows_done loop $rows
      local.get $row local.get $end i32.ge_u br_if $rows_done
      local.get $a local.set $j
      block $pairs_done loop $pairs
        local.get $j i32.const 2 i32.add local.get $b i32.gt_u br_if $pairs_done
        local.get $out local.get $j i32.const 3 i32.shl i32.add local.tee $o
        local.get $o v128.load align=8
        local.get $row local.get $j i32.const 3 i32.shl i32.add v128.load align=8 local.set $v
        local.get $v local.get $v f64x2.mul local.get $v local.get $sq select
        f64x2.add v128.store align=8
        local.get $j i32.const 2 i32.add local.set $j
        br $pairs
      end end
      local.get $j local.get $b i32.lt_u
      if
        local.get $out local.get $j i32.const 3 i32.shl i32.add local.tee $o
        local.get $o f64.load
        local.get $row local.get $j i32.const 3 i32.shl i32.add f64.load local.set $e
        local.get $e local.get $e f64.mul local.get $e local.get $sq select
        f64.add f64.store
      end
      local.get $row local.get $bytes i32.add local.set $row
      br $rows
    end end)

  ;; Columns [a, b): out[j] = Σ_i x_ij.
  (func (export "col_sums") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    local.get $P local.get $a local.get $b i32.const 0 call $col_accumulate)

  ;; Columns [a, b): out[j] = Σ_i x_ij².
  (func (export "col_sumsq") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    local.get $P local.get $a local.get $b i32.const 1 call $col_accumulate)

  ;; Rows [a, b): x_ij −= mean_j in place.
  (func (export "centre_rows") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $X i32) (local $p i32) (local $mean i32) (local $bytes i32) (local $row i32) (local $end i32) (local $j i32)
    local.get $P i32.load local.set $X
    local.get $P i32.load offset=8 local.set $p
    local.get $P i32.load offset=16 local.set $mean
    local.get $p i32.const 3 i32.shl local.set $bytes
    local.get $X local.get $a local.get $bytes i32.mul i32.add local.set $row
    local.get $X local.get $b local.get $bytes i32.mul i32.add local.set $end
    block $rows_done loop $rows
      local.get $row local.get $end i32.ge_u br_if $rows_done
      i32.const 0 local.set $j
      block $pairs_done loop $pairs
        local.get $j i32.const 2 i32.add local.get $p i32.gt_u br_if $pairs_done
        local.get $row local.get $j i32.const 3 i32.shl i32.add
        local.get $row local.get $j i32.const 3 i32.shl i32.add v128.load align=8
        local.get $mean local.get $j i32.const 3 i32.shl i32.add v128.load align=8 f64x2.sub v128.store align=8
        local.get $j i32.const 2 i32.add local.set $j
        br $pairs
      end end
      local.get $j local.get $p i32.lt_u
      if
        local.get $row local.get $j i32.const 3 i32.shl i32.add
        local.get $row local.get $j i32.const 3 i32.shl i32.add f64.load
        local.get $mean local.get $j i32.const 3 i32.shl i32.add f64.load f64.sub f64.store
      end
      local.get $row local.get $bytes i32.add local.set $row
      br $rows
    end end)

  ;; Σ_k a_k·b_k over len doubles at byte offsets a and b, in the order of cholesky.ts `dot`: four sums over blocks
  ;; of four (lanes k mod 4 = 0, 1 in one vector and 2, 3 in the other), the len mod 4 tail added to the first,
  ;; then (s0 + s1) + (s2 + s3).
  (func $dot4 (param $a i32) (param $b i32) (param $len i32) (result f64)
    (local $v01 v128) (local $v23 v128) (local $k i32) (local $o i32) (local $s0 f64)
    f64.const 0 f64x2.splat local.set $v01
    f64.const 0 f64x2.splat local.set $v23
    block $quads_done loop $quads
      local.get $k i32.const 4 i32.add local.get $len i32.gt_s br_if $quads_done
      local.get $k i32.const 3 i32.shl local.set $o
      local.get $v01
      local.get $a local.get $o i32.add v128.load align=8
      local.get $b local.get $o i32.add v128.load align=8 f64x2.mul f64x2.add local.set $v01
      local.get $v23
      local.get $a local.get $o i32.add v128.load offset=16 align=8
      local.get $b local.get $o i32.add v128.load offset=16 align=8 f64x2.mul f64x2.add local.set $v23
      local.get $k i32.const 4 i32.add local.set $k
      br $quads
    end end
    local.get $v01 f64x2.extract_lane 0 local.set $s0
    block $tail_done loop $tail
      local.get $k local.get $len i32.ge_s br_if $tail_done
      local.get $k i32.const 3 i32.shl local.set $o
      local.get $s0
      local.get $a local.get $o i32.add f64.load
      local.get $b local.get $o i32.add f64.load f64.mul f64.add local.set $s0
      local.get $k i32.const 1 i32.add local.set $k
      br $tail
    end end
    local.get $s0 local.get $v01 f64x2.extract_lane 1 f64.add
    local.get $v23 f64x2.extract_lane 0 local.get $v23 f64x2.extract_lane 1 f64.add
    f64.add)

  ;; Cholesky factor A = LLᵀ of the q×q matrix at A (its lower triangle read) into the q×q region L, as
  ;; cholesky.ts `choleskyFactor` computes it (one task: the range is ignored). The i32 at ok becomes 1, or 0 at
  ;; the first pivot that is not positive and finite (L then holds the columns before it).
  (func (export "chol_factor") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $A i32) (local $L i32) (local $q i32) (local $ok i32) (local $row i32)
    (local $j i32) (local $i i32) (local $rj i32) (local $ri i32) (local $s f64) (local $ljj f64)
    local.get $P i32.load local.set $A
    local.get $P i32.load offset=4 local.set $L
    local.get $P i32.load offset=8 local.set $q
    local.get $P i32.load offset=20 local.set $ok
    local.get $q i32.const 3 i32.shl local.set $row
    block $cols_done loop $cols
      local.get $j local.get $q i32.ge_s br_if $cols_done
      local.get $j local.get $row i32.mul local.set $rj
      ;; s = A[j][j] − Σ_{k<j} L[j][k]²
      local.get $A local.get $rj i32.add local.get $j i32.const 3 i32.shl i32.add f64.load
      local.get $L local.get $rj i32.add local.get $L local.get $rj i32.add local.get $j call $dot4
      f64.sub local.set $s
      ;; not s > 0 (NaN included), or s infinite (s − s is then NaN)
      local.get $s f64.const 0 f64.gt i32.eqz
      local.get $s local.get $s f64.sub f64.const 0 f64.ne i32.or
      if
        local.get $ok i32.const 0 i32.store
        return
      end
      local.get $s f64.sqrt local.set $ljj
      local.get $L local.get $rj i32.add local.get $j i32.const 3 i32.shl i32.add local.get $ljj f64.store
      ;; L[i][j] = (A[i][j] − Σ_{k<j} L[i][k]·L[j][k]) / L[j][j] for i > j
      local.get $j i32.const 1 i32.add local.set $i
      block $rows_done loop $rows
        local.get $i local.get $q i32.ge_s br_if $rows_done
        local.get $i local.get $row i32.mul local.set $ri
        local.get $L local.get $ri i32.add local.get $j i32.const 3 i32.shl i32.add
        local.get $A local.get $ri i32.add local.get $j i32.const 3 i32.shl i32.add f64.load
        local.get $L local.get $ri i32.add local.get $L local.get $rj i32.add local.get $j call $dot4
        f64.sub local.get $ljj f64.div f64.store
        local.get $i i32.const 1 i32.add local.set $i
        br $rows
      end end
      ;; the strict upper triangle of row j is 0
      local.get $j i32.const 1 i32.add local.set $i
      block $zeros_done loop $zeros
        local.get $i local.get $q i32.ge_s br_if $zeros_done
        local.get $L local.get $rj i32.add local.get $i i32.const 3 i32.shl i32.add f64.const 0 f64.store
        local.get $i i32.const 1 i32.add local.set $i
        br $zeros
      end end
      local.get $j i32.const 1 i32.add local.set $j
      br $cols
    end end
    local.get $ok i32.const 1 i32.store)

  ;; A⁻¹ (full, into the q×q region out) from the factor L of A, as cholesky.ts `choleskyInverse` computes it,
  ;; with the q×q region work as its U = L⁻ᵀ (one task: the range is ignored).
  (func (export "chol_inverse") (param $P i32) (param $a i32) (param $b i32) (param $scratch i32)
    (local $L i32) (local $q i32) (local $out i32) (local $U i32) (local $row i32)
    (local $j i32) (local $i i32) (local $rj i32) (local $ri i32) (local $s f64)
    local.get $P i32.load offset=4 local.set $L
    local.get $P i32.load offset=8 local.set $q
    local.get $P i32.load offset=12 local.set $out
    local.get $P i32.load offset=16 local.set $U
    local.get $q i32.const 3 i32.shl local.set $row
    block $cols_done loop $cols
      local.get $j local.get $q i32.ge_s br_if $cols_done
      local.get $j local.get $row i32.mul local.set $rj
      ;; U[j][k] = 0 for k < j
      i32.const 0 local.set $i
      block $zeros_done loop $zeros
        local.get $i local.get $j i32.ge_s br_if $zeros_done
        local.get $U local.get $rj i32.add local.get $i i32.const 3 i32.shl i32.add f64.const 0 f64.store
        local.get $i i32.const 1 i32.add local.set $i
        br $zeros
      end end
      ;; U[j][j] = 1 / L[j][j]
      local.get $U local.get $rj i32.add local.get $j i32.const 3 i32.shl i32.add
      f64.const 1 local.get $L local.get $rj i32.add local.get $j i32.const 3 i32.shl i32.add f64.load f64.div f64.store
      ;; U[j][i] = −(Σ_{k=j}^{i−1} L[i][k]·U[j][k]) / L[i][i] for i > j
      local.get $j i32.const 1 i32.add local.set $i
      block $rows_done loop $rows
        local.get $i local.get $q i32.ge_s br_if $rows_done
        local.get $i local.get $row i32.mul local.set $ri
        local.get $U local.get $rj i32.add local.get $i i32.const 3 i32.shl i32.add
        local.get $L local.get $ri i32.add local.get $j i32.const 3 i32.shl i32.add
        local.get $U local.get $rj i32.add local.get $j i32.const 3 i32.shl i32.add
        local.get $i local.get $j i32.sub call $dot4 f64.neg
        local.get $L local.get $ri i32.add local.get $i i32.const 3 i32.shl i32.add f64.load f64.div f64.store
        local.get $i i32.const 1 i32.add local.set $i
        br $rows
      end end
      local.get $j i32.const 1 i32.add local.set $j
      br $cols
    end end
    ;; out[i][j] = out[j][i] = Σ_{k≥i} U[i][k]·U[j][k] for j ≤ i
    i32.const 0 local.set $i
    block $out_done loop $outer
      local.get $i local.get $q i32.ge_s br_if $out_done
      local.get $i local.get $row i32.mul local.set $ri
      i32.const 0 local.set $j
      block $inner_done loop $inner
        local.get $j local.get $i i32.gt_s br_if $inner_done
        local.get $j local.get $row i32.mul local.set $rj
        local.get $U local.get $ri i32.add local.get $i i32.const 3 i32.shl i32.add
        local.get $U local.get $rj i32.add local.get $i i32.const 3 i32.shl i32.add
        local.get $q local.get $i i32.sub call $dot4 local.set $s
        local.get $out local.get $ri i32.add local.get $j i32.const 3 i32.shl i32.add local.get $s f64.store
        local.get $out local.get $rj i32.add local.get $i i32.const 3 i32.shl i32.add local.get $s f64.store
        local.get $j i32.const 1 i32.add local.set $j
        br $inner
      end end
      local.get $i i32.const 1 i32.add local.set $i
      br $outer
    end end)
)
