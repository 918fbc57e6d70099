//! Tests of the public API: every method on dense and CSR systems, the
//! error cases, the stream protocol and workspace reuse.

use crate::*;

const METHODS: [Method; 3] = [Method::ConjugateGradient, Method::Jacobi, Method::Neumann];

fn config(method: Method) -> SolverConfig {
    SolverConfig {
        max_iterations: 1000,
        tolerance: 1e-12,
        stream_chunk_size: 3,
        simd_enabled: true,
        method,
        memory_limit: None,
    }
}

fn solver(method: Method) -> Solver {
    Solver::new(config(method)).unwrap()
}

/// An owned dense matrix; `view()` lends it as the kernel's [`Matrix`].
#[derive(Clone, Debug)]
struct Dense {
    data: Vec<f64>,
    rows: u32,
    cols: u32,
}

impl Dense {
    fn view(&self) -> Matrix<'_> {
        Matrix { data: &self.data, rows: self.rows, cols: self.cols }
    }
}

/// An owned CSR matrix; `view()` lends it as the kernel's [`CsrMatrix`].
#[derive(Clone, Debug)]
struct Csr {
    values: Vec<f64>,
    col_indices: Vec<u32>,
    row_ptr: Vec<u32>,
    rows: u32,
    cols: u32,
}

impl Csr {
    fn view(&self) -> CsrMatrix<'_> {
        CsrMatrix {
            values: &self.values,
            col_indices: &self.col_indices,
            row_ptr: &self.row_ptr,
            rows: self.rows,
            cols: self.cols,
        }
    }
}

fn dense(rows: u32, cols: u32, data: &[f64]) -> Dense {
    Dense { data: data.to_vec(), rows, cols }
}

/// Symmetric, positive-definite and strictly diagonally dominant, so every
/// method applies: [[4, 1, 0], [1, 5, 2], [0, 2, 6]].
fn spd3() -> Dense {
    dense(3, 3, &[4.0, 1.0, 0.0, 1.0, 5.0, 2.0, 0.0, 2.0, 6.0])
}

/// `b = A · [1, -2, 3]` for [`spd3`].
const SPD3_X: [f64; 3] = [1.0, -2.0, 3.0];
const SPD3_B: [f64; 3] = [2.0, -3.0, 14.0];

/// The n × n tridiagonal matrix (`diagonal` on the diagonal, -1 beside it) in CSR.
fn tridiagonal_csr(n: u32, diagonal: f64) -> Csr {
    let mut m = Csr { values: vec![], col_indices: vec![], row_ptr: vec![0], rows: n, cols: n };
    for i in 0..n {
        if i > 0 {
            m.values.push(-1.0);
            m.col_indices.push(i - 1);
        }
        m.values.push(diagonal);
        m.col_indices.push(i);
        if i + 1 < n {
            m.values.push(-1.0);
            m.col_indices.push(i + 1);
        }
        m.row_ptr.push(m.values.len() as u32);
    }
    m
}

fn tridiagonal_dense(n: u32, diagonal: f64) -> Dense {
    let m = tridiagonal_csr(n, diagonal);
    let mut data = vec![0.0; (n * n) as usize];
    for (i, w) in m.row_ptr.windows(2).enumerate() {
        for k in w[0] as usize..w[1] as usize {
            data[i * n as usize + m.col_indices[k] as usize] = m.values[k];
        }
    }
    Dense { data, rows: n, cols: n }
}

fn csr_times(m: &Csr, x: &[f64]) -> Vec<f64> {
    m.row_ptr
        .windows(2)
        .map(|w| (w[0]..w[1]).map(|k| m.values[k as usize] * x[m.col_indices[k as usize] as usize]).sum())
        .collect()
}

fn assert_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len());
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!((a - e).abs() <= tol, "x[{i}] = {a}, expected {e}");
    }
}

#[test]
fn every_method_solves_a_small_dense_system() {
    for method in METHODS {
        let mut s = solver(method);
        let x = s.solve(spd3().view(), &SPD3_B).unwrap();
        assert_close(&x, &SPD3_X, 1e-10);
        assert!(s.last_iterations() >= 1, "{method:?}");
        let m = spd3();
        let r = residual_norm(&m.data, 3, 3, &x, &SPD3_B).unwrap();
        assert!(r / 14.0 <= 1e-11, "{method:?}: residual {r}");
    }
}

#[test]
fn every_method_solves_a_small_sparse_system() {
    let n = 50;
    let m = tridiagonal_csr(n, 4.0);
    let expected: Vec<f64> = (0..n).map(|i| (i as f64 * 0.3).sin()).collect();
    let b = csr_times(&m, &expected);
    for method in METHODS {
        let x = solver(method).solve_sparse(m.view(), &b).unwrap();
        assert_close(&x, &expected, 1e-10);
    }
}

#[test]
fn sparse_matches_dense() {
    let b = [1.0, 0.0, 0.0, 1.0];
    let x_sparse = solver(Method::ConjugateGradient).solve_sparse(tridiagonal_csr(4, 2.0).view(), &b).unwrap();
    let x_dense = solver(Method::ConjugateGradient).solve(tridiagonal_dense(4, 2.0).view(), &b).unwrap();
    assert_close(&x_sparse, &[1.0; 4], 1e-10);
    assert_close(&x_sparse, &x_dense, 1e-12);
}

#[test]
fn large_sparse_poisson_system() {
    let n = 100_000;
    let m = tridiagonal_csr(n, 4.0);
    let b = vec![1.0; n as usize];
    let mut s = Solver::new(SolverConfig { tolerance: 1e-10, ..config(Method::ConjugateGradient) }).unwrap();
    let x = s.solve_sparse(m.view(), &b).unwrap();
    let ax = csr_times(&m, &x);
    let r: f64 = ax.iter().zip(&b).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
    assert!(r / (n as f64).sqrt() <= 1e-9, "relative residual {}", r / (n as f64).sqrt());
    assert!(s.last_iterations() < 100);
    for method in [Method::Jacobi, Method::Neumann] {
        s.set_method(method).unwrap();
        let y = s.solve_sparse(m.view(), &b).unwrap();
        assert_close(&y, &x, 1e-8);
    }
}

#[test]
fn zero_right_hand_side_gives_zero_for_every_method() {
    for method in METHODS {
        let mut s = solver(method);
        assert_eq!(s.solve(spd3().view(), &[0.0; 3]).unwrap(), vec![0.0; 3]);
        assert_eq!(s.last_iterations(), 0);
        assert_eq!(s.solve_sparse(tridiagonal_csr(3, 4.0).view(), &[0.0; 3]).unwrap(), vec![0.0; 3]);
    }
}

#[test]
fn non_square_and_wrong_lengths_are_invalid() {
    for method in METHODS {
        let mut s = solver(method);
        let cases = [
            (dense(2, 3, &[1.0; 6]), vec![1.0; 2]),
            (dense(2, 2, &[1.0; 3]), vec![1.0; 2]),
            (dense(2, 2, &[4.0, 0.0, 0.0, 4.0]), vec![1.0; 3]),
            (dense(2, 2, &[4.0, 0.0, 0.0, 4.0]), vec![1.0, f64::NAN]),
        ];
        for (matrix, b) in cases {
            let err = s.solve(matrix.view(), &b).unwrap_err();
            assert!(matches!(err, KernelError::InvalidMatrix { .. }), "{method:?}: {err}");
            let err = s.solve_stream(matrix.view(), &b).unwrap_err();
            assert!(matches!(err, KernelError::InvalidMatrix { .. }), "{method:?}: {err}");
        }
    }
}

#[test]
fn bad_csr_structure_is_invalid() {
    let mut m = tridiagonal_csr(3, 4.0);
    m.row_ptr[1] = 6;
    let err = solver(Method::ConjugateGradient).solve_sparse(m.view(), &[1.0; 3]).unwrap_err();
    match err {
        KernelError::InvalidMatrix { reason } => assert!(reason.contains("non-decreasing"), "{reason}"),
        other => panic!("unexpected {other:?}"),
    }
    let mut m = tridiagonal_csr(3, 4.0);
    m.col_indices[0] = 7;
    let err = solver(Method::Jacobi).solve_sparse(m.view(), &[1.0; 3]).unwrap_err();
    match err {
        KernelError::InvalidMatrix { reason } => assert!(reason.contains("col_indices[0] = 7"), "{reason}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn cg_rejects_an_indefinite_matrix() {
    let err = solver(Method::ConjugateGradient).solve(dense(2, 2, &[1.0, 2.0, 2.0, 1.0]).view(), &[1.0, -1.0]).unwrap_err();
    match err {
        KernelError::InvalidMatrix { reason } => {
            assert!(reason.contains("not symmetric positive-definite"), "{reason}")
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn jacobi_and_neumann_name_the_first_non_dominant_row() {
    // Row 0 is dominant, row 1 is not (|3| <= 1 + 2), row 2 is not either.
    let m = dense(3, 3, &[5.0, 1.0, 1.0, 1.0, -3.0, 2.0, 0.0, 9.0, 1.0]);
    for method in [Method::Jacobi, Method::Neumann] {
        let expected = KernelError::NotDiagonallyDominant { row: 1, diagonal: 3.0, off_diagonal: 3.0 };
        assert_eq!(solver(method).solve(m.view(), &[1.0; 3]).unwrap_err(), expected);
        assert_eq!(solver(method).solve_stream(m.view(), &[0.0; 3]).unwrap_err(), expected);
        let csr = Csr {
            values: vec![5.0, 1.0, 1.0, 1.0, -3.0, 2.0, 9.0, 1.0],
            col_indices: vec![0, 1, 2, 0, 1, 2, 1, 2],
            row_ptr: vec![0, 3, 6, 8],
            rows: 3,
            cols: 3,
        };
        assert_eq!(solver(method).solve_sparse(csr.view(), &[1.0; 3]).unwrap_err(), expected);
    }
    // CG does not need dominance.
    assert!(solver(Method::ConjugateGradient).solve(dense(2, 2, &[2.0, 1.9, 1.9, 2.0]).view(), &[1.0, 1.0]).is_ok());
}

#[test]
fn an_exhausted_budget_is_a_convergence_failure() {
    for method in METHODS {
        let mut s = solver(method);
        s.set_max_iterations(1).unwrap();
        match s.solve(spd3().view(), &SPD3_B).unwrap_err() {
            KernelError::ConvergenceFailure { iterations: 1, residual } => {
                assert!(residual > 1e-12 && residual < 1.0, "{method:?}: {residual}")
            }
            other => panic!("{method:?}: unexpected {other:?}"),
        }
        assert_eq!(s.last_iterations(), 1);
    }
}

#[test]
fn the_reported_residual_is_the_true_relative_residual() {
    // Jacobi tracks b − A x exactly and Neumann through a telescoping
    // identity; both must agree with a direct evaluation.
    for method in [Method::Jacobi, Method::Neumann] {
        for budget in 1..6 {
            let mut s = solver(method);
            s.set_max_iterations(budget).unwrap();
            let Err(KernelError::ConvergenceFailure { residual, .. }) = s.solve(spd3().view(), &SPD3_B) else {
                panic!("{method:?} converged in {budget} iterations")
            };
            let mut stream = s.solve_stream(spd3().view(), &SPD3_B).unwrap();
            while let Some(Ok(_)) = stream.next() {}
            let x = stream.result().unwrap();
            let direct = residual_norm(&spd3().data, 3, 3, &x, &SPD3_B).unwrap()
                / SPD3_B.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!((residual - direct).abs() <= 1e-12 * direct.max(1.0), "{method:?}: {residual} vs {direct}");
        }
    }
}

#[test]
fn stream_reports_steps_until_convergence() {
    for method in METHODS {
        let mut s = solver(method);
        s.set_stream_chunk_size(2).unwrap();
        let mut stream = s.solve_stream(spd3().view(), &SPD3_B).unwrap();
        let steps: Vec<SolutionStep> = stream.by_ref().map(Result::unwrap).collect();
        let (last, earlier) = steps.split_last().unwrap();
        assert!(last.convergence && last.residual <= 1e-12, "{method:?}: {last:?}");
        for (k, step) in earlier.iter().enumerate() {
            assert!(!step.convergence);
            assert_eq!(step.iteration, 2 * (k as u32 + 1), "{method:?}");
            assert!(step.residual > 1e-12);
        }
        assert!(last.iteration <= 2 * steps.len() as u32);
        assert!(stream.next().is_none());
        assert_close(&stream.result().unwrap(), &SPD3_X, 1e-10);
        // The stream agrees with a one-shot solve of the same method.
        s.solve(spd3().view(), &SPD3_B).unwrap();
        assert_eq!(s.last_iterations(), last.iteration, "{method:?}");
    }
}

#[test]
fn stream_fails_once_when_the_budget_runs_out() {
    for method in METHODS {
        let mut s = solver(method);
        s.set_max_iterations(3).unwrap();
        s.set_stream_chunk_size(2).unwrap();
        // Six unknowns: CG cannot finish in three iterations.
        let b = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0];
        let mut stream = s.solve_stream(tridiagonal_dense(6, 4.0).view(), &b).unwrap();
        let first = stream.next().unwrap().unwrap();
        assert_eq!((first.iteration, first.convergence), (2, false));
        match stream.next() {
            Some(Err(KernelError::ConvergenceFailure { iterations: 3, residual })) => assert!(residual > 1e-12),
            other => panic!("{method:?}: unexpected {other:?}"),
        }
        assert!(stream.next().is_none());
        assert!(stream.next().is_none());
        // The iterate after three iterations is still available.
        assert_eq!(stream.result().unwrap().len(), 6);
    }
}

#[test]
fn stream_of_a_zero_right_hand_side_converges_at_once() {
    for method in METHODS {
        let mut stream = solver(method).solve_stream(spd3().view(), &[0.0; 3]).unwrap();
        let step = stream.next().unwrap().unwrap();
        assert_eq!(step, SolutionStep { iteration: 0, residual: 0.0, convergence: true });
        assert!(stream.next().is_none());
        assert_eq!(stream.result().unwrap(), vec![0.0; 3]);
    }
}

#[test]
fn stream_reports_an_indefinite_matrix_then_ends() {
    let mut stream =
        solver(Method::ConjugateGradient).solve_stream(dense(2, 2, &[1.0, 2.0, 2.0, 1.0]).view(), &[1.0, -1.0]).unwrap();
    assert!(matches!(stream.next(), Some(Err(KernelError::InvalidMatrix { .. }))));
    assert!(stream.next().is_none());
}

#[test]
fn stream_is_independent_of_the_solver() {
    let mut s = solver(Method::ConjugateGradient);
    let stream = s.solve_stream(spd3().view(), &SPD3_B).unwrap();
    // The solver can be changed (or dropped) while the stream runs.
    s.set_max_iterations(1).unwrap();
    drop(s);
    let last = stream.last().unwrap().unwrap();
    assert!(last.convergence);
}

#[test]
fn memory_usage_is_stable_across_repeated_solves() {
    for method in METHODS {
        let mut s = solver(method);
        assert_eq!(s.memory_usage().unwrap(), MemoryUsage { used: 0.0, capacity: 0.0 });
        s.solve(spd3().view(), &SPD3_B).unwrap();
        let after_first = s.memory_usage().unwrap();
        assert_eq!(after_first.used, 4.0 * 3.0 * 8.0, "{method:?}");
        for _ in 0..1000 {
            s.solve(spd3().view(), &SPD3_B).unwrap();
            s.solve_sparse(tridiagonal_csr(3, 4.0).view(), &SPD3_B).unwrap();
        }
        assert_eq!(s.memory_usage().unwrap(), after_first, "{method:?}");
        // A smaller system reuses the buffers too.
        s.solve_sparse(tridiagonal_csr(2, 4.0).view(), &[1.0, 1.0]).unwrap();
        assert_eq!(s.memory_usage().unwrap(), after_first);
    }
}

#[test]
fn configuration_is_validated() {
    let good = config(Method::Jacobi);
    let bad = [
        SolverConfig { max_iterations: 0, ..good },
        SolverConfig { tolerance: 0.0, ..good },
        SolverConfig { tolerance: -1.0, ..good },
        SolverConfig { tolerance: f64::NAN, ..good },
        SolverConfig { tolerance: f64::INFINITY, ..good },
        SolverConfig { stream_chunk_size: 0, ..good },
    ];
    for config in bad {
        match Solver::new(config) {
            Err(KernelError::InvalidMatrix { reason }) => {
                assert!(reason.starts_with("invalid configuration"), "{reason}")
            }
            other => panic!("accepted {config:?}: {other:?}"),
        }
    }

    let mut s = Solver::new(good).unwrap();
    assert!(s.set_max_iterations(0).is_err());
    assert!(s.set_tolerance(f64::NAN).is_err());
    assert!(s.set_tolerance(0.0).is_err());
    assert!(s.set_stream_chunk_size(0).is_err());
    assert_eq!((s.max_iterations(), s.tolerance(), s.stream_chunk_size()), (1000, 1e-12, 3));

    s.set_max_iterations(7).unwrap();
    s.set_tolerance(1e-6).unwrap();
    s.set_stream_chunk_size(9).unwrap();
    s.set_method(Method::Neumann).unwrap();
    assert_eq!((s.max_iterations(), s.tolerance(), s.stream_chunk_size()), (7, 1e-6, 9));
    assert_eq!(s.method(), Method::Neumann);
}

#[test]
fn simd_is_reported_truthfully() {
    let s = solver(Method::ConjugateGradient);
    assert_eq!(s.simd_enabled(), cfg!(all(target_arch = "wasm32", feature = "simd")));
    let s = Solver::new(SolverConfig { simd_enabled: false, ..config(Method::Jacobi) }).unwrap();
    assert!(!s.simd_enabled());
}

#[test]
fn errors_display_a_message() {
    let errors = [
        KernelError::InvalidMatrix { reason: "bad".into() },
        KernelError::NotDiagonallyDominant { row: 2, diagonal: 1.0, off_diagonal: 2.0 },
        KernelError::ConvergenceFailure { iterations: 5, residual: 0.5 },
        KernelError::MemoryError { bytes: 8.0 },
    ];
    for error in errors {
        let text = error.to_string();
        assert!(!text.is_empty());
        let _: &dyn std::error::Error = &error;
    }
    assert!(KernelError::NotDiagonallyDominant { row: 2, diagonal: 1.0, off_diagonal: 2.0 }
        .to_string()
        .contains("row 2"));
}

#[test]
fn an_empty_system_is_solved_trivially() {
    for method in METHODS {
        let x = solver(method).solve(dense(0, 0, &[]).view(), &[]).unwrap();
        assert!(x.is_empty());
        let mut stream = solver(method).solve_stream(dense(0, 0, &[]).view(), &[]).unwrap();
        assert_eq!(stream.next().unwrap().unwrap().iteration, 0);
    }
}

#[test]
fn a_memory_limit_is_a_memory_error_before_allocating() {
    let limited = SolverConfig { memory_limit: Some(32.0), ..config(Method::ConjugateGradient) };
    let mut solver = Solver::new(limited).unwrap();
    let matrix = dense(2, 2, &[4.0, 1.0, 1.0, 3.0]);
    let err = solver.solve(matrix.view(), &[1.0, 2.0]).unwrap_err();
    assert_eq!(err, KernelError::MemoryError { bytes: 64.0 });
    let err = solver.solve_stream(matrix.view(), &[1.0, 2.0]).unwrap_err();
    assert!(matches!(err, KernelError::MemoryError { .. }));
    let roomy = SolverConfig { memory_limit: Some(1e6), ..config(Method::ConjugateGradient) };
    let x = Solver::new(roomy).unwrap().solve(dense(2, 2, &[4.0, 1.0, 1.0, 3.0]).view(), &[1.0, 2.0]);
    assert!(x.is_ok());
}

#[test]
fn into_variants_write_the_solution_and_check_out() {
    for method in METHODS {
        let mut s = solver(method);
        let expected = s.solve(spd3().view(), &SPD3_B).unwrap();
        let mut out = [f64::NAN; 3];
        s.solve_into(spd3().view(), &SPD3_B, &mut out).unwrap();
        assert_eq!(out.to_vec(), expected, "{method:?}");
        let err = s.solve_into(spd3().view(), &SPD3_B, &mut [0.0; 2]).unwrap_err();
        assert!(matches!(err, KernelError::InvalidMatrix { .. }), "{err}");
        let csr = tridiagonal_csr(3, 4.0);
        let expected = s.solve_sparse(csr.view(), &SPD3_B).unwrap();
        s.solve_sparse_into(csr.view(), &SPD3_B, &mut out).unwrap();
        assert_eq!(out.to_vec(), expected, "{method:?}");
    }
    let a = spd3();
    let expected = solve(&a.data, 3, 3, &SPD3_B, 1e-12, None).unwrap();
    let mut out = [0.0; 3];
    solve_into(&a.data, 3, 3, &SPD3_B, 1e-12, None, &mut out).unwrap();
    assert_eq!(out.to_vec(), expected);
    assert!(solve_into(&a.data, 3, 3, &SPD3_B, 1e-12, None, &mut [0.0; 4]).is_err());
}
