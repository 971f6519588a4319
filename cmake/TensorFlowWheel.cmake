# Locates TensorFlow's C++ runtime inside the pinned tensorflow-cpu wheel and
# defines the imported target xai::tensorflow.
#
# Input:  XAI_PYTHON  — the interpreter of the project venv (has tensorflow).
# Output: TF_LIB_DIR, TF_INCLUDE_DIR, TF_VERSION, target xai::tensorflow.
#
# Link order matters: libtensorflow_cc.so.2 first and kept in DT_NEEDED
# (--no-as-needed; it holds the session factory and the kernels), then
# libtensorflow_framework.so.2 (protobuf, absl, core runtime). Compile flags
# (ABI, Eigen alignment) are read from tf.sysconfig, never hard-coded.

if(NOT XAI_PYTHON)
  message(FATAL_ERROR "XAI_PYTHON is not set: pass -DXAI_PYTHON=<venv>/bin/python "
                      "(scripts/setup.sh does this)")
endif()

execute_process(
  COMMAND ${XAI_PYTHON} -c
    "import os; os.environ['TF_CPP_MIN_LOG_LEVEL']='3'; import tensorflow as tf; print(tf.__version__); print(tf.sysconfig.get_lib()); print(';'.join(tf.sysconfig.get_compile_flags()))"
  OUTPUT_VARIABLE _tf_out
  RESULT_VARIABLE _tf_rc
  ERROR_QUIET
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _tf_rc EQUAL 0)
  message(FATAL_ERROR "could not import tensorflow with ${XAI_PYTHON}; run scripts/setup.sh")
endif()
string(REPLACE "\n" ";" _tf_lines "${_tf_out}")
list(GET _tf_lines 0 TF_VERSION)
list(GET _tf_lines 1 TF_LIB_DIR)
list(SUBLIST _tf_lines 2 -1 _tf_flags)
set(TF_INCLUDE_DIR "${TF_LIB_DIR}/include")

if(NOT TF_VERSION STREQUAL "2.21.0")
  message(FATAL_ERROR "expected tensorflow-cpu 2.21.0 in ${XAI_PYTHON}, found ${TF_VERSION}")
endif()
foreach(_lib libtensorflow_cc.so.2 libtensorflow_framework.so.2)
  if(NOT EXISTS "${TF_LIB_DIR}/${_lib}")
    message(FATAL_ERROR "expected ${_lib} in ${TF_LIB_DIR}, it is missing")
  endif()
endforeach()

set(_tf_defs "")
foreach(_f ${_tf_flags})
  if(_f MATCHES "^-D(.*)")
    list(APPEND _tf_defs "${CMAKE_MATCH_1}")
  endif()
endforeach()

add_library(xai_tensorflow INTERFACE)
add_library(xai::tensorflow ALIAS xai_tensorflow)
target_include_directories(xai_tensorflow SYSTEM BEFORE INTERFACE "${TF_INCLUDE_DIR}")
target_compile_definitions(xai_tensorflow INTERFACE ${_tf_defs})
target_link_options(xai_tensorflow INTERFACE "-Wl,-rpath,${TF_LIB_DIR}")
target_link_libraries(xai_tensorflow INTERFACE
  -Wl,--no-as-needed "${TF_LIB_DIR}/libtensorflow_cc.so.2" -Wl,--as-needed
  "${TF_LIB_DIR}/libtensorflow_framework.so.2")
message(STATUS "TensorFlow ${TF_VERSION} at ${TF_LIB_DIR} (defs: ${_tf_defs})")
